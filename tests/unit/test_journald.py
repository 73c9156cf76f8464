"""journald: the journalctl command line, entries to events, config keys (no I/O)."""
import json

import pytest

from awscli_cwlogs.config import ConfigError, StreamConfig, load_config
from awscli_cwlogs.events import MAX_MESSAGE_BYTES
from awscli_cwlogs.sources.journal_entries import entry_events, field_text, format_entry
from awscli_cwlogs.sources.journald import journalctl_command

STREAM = StreamConfig(section="j", log_group_name="g", log_stream_name="s", source="journald")
ENTRY = {"__CURSOR": "s=1;i=2", "__REALTIME_TIMESTAMP": "1796000000123456", "__MONOTONIC_TIMESTAMP": "5",
         "MESSAGE": "hello", "SYSLOG_IDENTIFIER": "sshd", "_PID": "77", "_COMM": "sshd-session", "PRIORITY": "6"}


def test_the_command_line_for_each_start():
    stream = StreamConfig(section="j", log_group_name="g", log_stream_name="s", source="journald",
                          journal_directory="/j", units=("a.service", "b-*.service"), priority="3",
                          matches=("_TRANSPORT=kernel", "+", "_TRANSPORT=audit"))
    base = ["journalctl", "-o", "json", "--all", "--no-pager", "--follow", "--directory", "/j",
            "--unit", "a.service", "--unit", "b-*.service", "--priority", "3"]
    matches = ["_TRANSPORT=kernel", "+", "_TRANSPORT=audit"]
    assert journalctl_command(stream, ("cursor", "C")) == base + ["--cursor", "C", "--no-tail"] + matches
    assert journalctl_command(stream, ("head",)) == base + ["--lines", "all"] + matches
    assert journalctl_command(stream, ("tail",)) == base + ["--lines", "0"] + matches
    assert journalctl_command(STREAM, ("last", 5), follow=False) == [
        "journalctl", "-o", "json", "--all", "--no-pager", "--lines", "5"]


def test_field_text_decodes_bytes_and_joins_repeated_fields():
    assert field_text("x") == "x"
    assert field_text([104, 105, 255]) == "hi\ufffd"
    assert field_text(["a", "b"]) == "a\nb"
    assert field_text(None) == "" and field_text([]) == ""


def test_the_three_formats():
    assert format_entry(ENTRY, "short") == "sshd[77]: hello"
    assert format_entry({**ENTRY, "SYSLOG_PID": "78"}, "short") == "sshd[78]: hello"
    assert format_entry({"MESSAGE": "m", "_COMM": "cron"}, "short") == "cron: m"
    assert format_entry({"MESSAGE": "m"}, "short") == "unknown: m"
    assert format_entry(ENTRY, "message") == "hello"
    fields = json.loads(format_entry({**ENTRY, "MESSAGE": [104, 255]}, "json"))
    assert fields["MESSAGE"] == "h\ufffd" and fields["_PID"] == "77" and fields["__REALTIME_TIMESTAMP"]
    assert "__CURSOR" not in fields and "__MONOTONIC_TIMESTAMP" not in fields


def test_entry_events_time_position_and_parts():
    assert entry_events(ENTRY, "message", None) == [(1796000000123, "hello", 5, ("s=1;i=2", 1796000000123456))]
    assert entry_events({**ENTRY, "MESSAGE": ""}, "message", None) == []  # the service refuses empty events
    big = entry_events({**ENTRY, "MESSAGE": "é" * MAX_MESSAGE_BYTES}, "message", ("prev", 1))
    assert len(big) == 2 and all(size <= MAX_MESSAGE_BYTES for _, _, size, _ in big)
    assert [part[3] for part in big] == [("prev", 1), ("s=1;i=2", 1796000000123456)]  # only the last part commits
    assert "".join(part[1] for part in big) == "é" * MAX_MESSAGE_BYTES


def config(tmp_path, text):
    path = tmp_path / "awslogs.conf"
    path.write_text(f"[general]\nstate_file = s\n[j]\nlog_group_name = g\nlog_stream_name = s\n{text}")
    return path


def test_journald_keys(tmp_path):
    stream = load_config(config(tmp_path, "source = journald\nunits = a.service, b.service c-*.service\n"
                                          "priority = warning\nmatches = _TRANSPORT=kernel + _TRANSPORT=audit\n"
                                          "message_format = json\n")).streams[0]
    assert stream.units == ("a.service", "b.service", "c-*.service") and stream.priority == "4"
    assert stream.matches == ("_TRANSPORT=kernel", "+", "_TRANSPORT=audit") and stream.message_format == "json"
    assert stream.file is None


@pytest.mark.parametrize("text, message", [
    ("source = journald\nfile = /x", "[j] file: only for files; this section has source = journald"),
    ("source = journald\ntime_zone = UTC", "[j] time_zone: only for files"),
    ("file = /x\nunits = a.service", "[j] units: only for source = journald; this section has source = file"),
    ("source = journald\npriority = loud", "[j] priority: 'loud' is not a priority (emerg, alert, crit, err, warning"),
    ("source = journald\nmatches = unit=x", "[j] matches: 'unit=x' is not FIELD=value"),
    ("source = journald\nmessage_format = xml", "[j] message_format: 'xml' is not one of short, message, json"),
    ("source = syslog", "[j] source: 'syslog' is not one of file, journald"),
    ("source = file", "[j] file: missing (required)"),
])
def test_journald_config_errors_name_file_section_and_key(tmp_path, text, message):
    with pytest.raises(ConfigError) as error:
        load_config(config(tmp_path, text + "\n"))
    assert message in str(error.value) and str(tmp_path) in str(error.value)


def test_a_batch_ending_in_the_first_part_of_an_oversized_entry_records_no_position():
    """The first parts of an entry over 1 MB, before any earlier entry of its stream, carry no
    position: a batch that ends with one is sent and counted, and records nothing."""
    import queue

    from awscli_cwlogs.agent import Lifecycle
    from awscli_cwlogs.batch import BodyFormat, make_batch
    from awscli_cwlogs.publisher import Publisher
    from awscli_cwlogs.sources.journal_entries import JournalRoute
    from tests.unit.test_publisher import STREAM, ScriptedClient, Store

    parts = entry_events({**ENTRY, "MESSAGE": "x" * (MAX_MESSAGE_BYTES + 10)}, "message", None)
    route = JournalRoute({})
    store = Store()
    batches = queue.Queue()
    batches.put(make_batch(parts[:1], {route.key: (route, parts[0][3])}, BodyFormat("g", "s", use_gzip=False)))
    batches.put(make_batch(parts[1:], {route.key: (route, parts[1][3])}, BodyFormat("g", "s", use_gzip=False)))
    batches.put(None)
    Publisher(ScriptedClient({}, {}), STREAM, store, Lifecycle(20)).run(batches)
    assert parts[0][3] is None
    assert store.saved == [{}, {("journald", 0): ("s=1;i=2", 1796000000123456)}]
