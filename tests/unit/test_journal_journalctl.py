"""sources/journal/journalctl.py: the journalctl command line and the fields it prints (no I/O)."""
from tests.harness.sections import make_stream
from awscli_cwlogs.sources.journal import journalctl
from awscli_cwlogs.sources.journal.entries import FORMATTERS, SHORT_FIELDS, route_values
from awscli_cwlogs.sources.journal.journalctl import journalctl_command

STREAM = make_stream(section="j", log_group_name="g", log_stream_name="s", source="journald")


def test_the_command_line_for_each_start(monkeypatch):
    monkeypatch.setattr(journalctl, "systemd_version", lambda journalctl: 219)  # before --output-fields
    stream = make_stream(section="j", log_group_name="g", log_stream_name="s", source="journald",
                          journal_directory="/j", units=("a.service", "b-*.service"), priority="3",
                          matches=("_TRANSPORT=kernel", "+", "_TRANSPORT=audit"))
    base = ["journalctl", "-o", "json", "--all", "--no-pager", "--follow"]
    chooses = ["--directory", "/j", "--unit", "a.service", "--unit", "b-*.service", "--priority", "3",
               "_TRANSPORT=kernel", "+", "_TRANSPORT=audit"]
    assert journalctl_command(stream, ("cursor", "C")) == base + ["--cursor", "C", "--no-tail"] + chooses
    assert journalctl_command(stream, ("head",)) == base + ["--lines", "all"] + chooses
    assert journalctl_command(stream, ("tail",)) == base + ["--lines", "0"] + chooses
    assert journalctl_command(STREAM, ("last", 5), follow=False) == [
        "journalctl", "-o", "json", "--all", "--no-pager", "--lines", "5"]


def test_journalctl_prints_only_the_fields_the_format_needs_where_it_can(monkeypatch):
    monkeypatch.setattr(journalctl, "systemd_version", lambda journalctl: 252)
    only = "--output-fields=MESSAGE,SYSLOG_IDENTIFIER,_COMM,SYSLOG_PID,_PID,_SYSTEMD_UNIT"
    assert journalctl_command(STREAM, ("head",))[:7] == ["journalctl", "-o", "json", "--all", "--no-pager",
                                                         "--follow", only]
    assert only.split("=")[1].split(",") == list(SHORT_FIELDS)
    as_json = make_stream(section="j", log_group_name="g", log_stream_name="s", source="journald",
                           message_format="json")
    assert not any(argument.startswith("--output-fields") for argument in journalctl_command(as_json, ("head",)))
    counting = journalctl_command(as_json, ("head",), follow=False, fields=("__CURSOR",))
    assert "--output-fields=__CURSOR" in counting


def test_every_field_the_short_and_message_formats_read_is_printed():
    """A formatter reading a field left out of --output-fields would quietly print 'unknown'."""
    seen = set()

    class Recording(dict):
        def get(self, name, default=None):
            seen.add(name)
            return dict.get(self, name, default)

    for name in ("short", "message"):
        FORMATTERS[name](Recording({}))
    route_values(Recording({}), ("unit", "identifier"))
    assert seen <= set(SHORT_FIELDS), seen - set(SHORT_FIELDS)

