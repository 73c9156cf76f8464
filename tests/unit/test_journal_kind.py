"""sources/journal/kind.py: the journald section keys and their errors."""
import pytest

from awscli_cwlogs.config import settings
from awscli_cwlogs.config.settings import ConfigError
from awscli_cwlogs.sources.kinds import KINDS


def load_config(*args, **kwargs):
    return settings.load_config(*args, kinds=KINDS, **kwargs)


def config(tmp_path, text):
    path = tmp_path / "awslogs.conf"
    path.write_text(f"[general]\nstate_file = s\n[j]\nlog_group_name = g\nlog_stream_name = s\n{text}")
    return path


def test_journald_keys(tmp_path):
    stream = load_config(config(tmp_path, "source = journald\nunits = a.service, b.service c-*.service\n"
                                          "priority = warning\nmatches = _TRANSPORT=kernel + _TRANSPORT=audit\n"
                                          "message_format = json\n")).streams[0]
    assert stream.options.units == ("a.service", "b.service", "c-*.service") and stream.options.priority == "4"
    assert stream.options.matches == ("_TRANSPORT=kernel", "+", "_TRANSPORT=audit")
    assert stream.options.message_format == "json"
    assert not hasattr(stream.options, "file")  # a journald section has no file key


@pytest.mark.parametrize("text, message", [
    ("source = journald\nfile = /x", "[j] file: only for files or source = cri; this section has source = journald"),
    ("source = journald\ntime_zone = UTC", "[j] time_zone: only for files"),
    ("file = /x\nunits = a.service", "[j] units: only for source = journald; this section has source = file"),
    ("source = journald\npriority = loud", "[j] priority: 'loud' is not a priority (emerg, alert, crit, err, warning"),
    ("source = journald\nmatches = unit=x", "[j] matches: 'unit=x' is not FIELD=value"),
    ("source = journald\nmessage_format = xml", "[j] message_format: 'xml' is not one of short, message, json"),
    ("source = syslog", "[j] source: 'syslog' is not one of file, journald, docker, cri"),
    ("source = file", "[j] file: missing (required)"),
])
def test_journald_config_errors_name_file_section_and_key(tmp_path, text, message):
    with pytest.raises(ConfigError) as error:
        load_config(config(tmp_path, text + "\n"))
    assert message in str(error.value) and str(tmp_path) in str(error.value)

