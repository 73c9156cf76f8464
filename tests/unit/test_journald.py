"""journald: the journalctl command line, entries to events, config keys (no I/O)."""
import json

import pytest

from awscli_cwlogs.config.settings import ConfigError, StreamConfig, load_config
from awscli_cwlogs.limits import MAX_MESSAGE_BYTES
from awscli_cwlogs.sources.journal import journalctl
from awscli_cwlogs.sources.journal.entries import FORMATTERS, SHORT_FIELDS, entry_events, field_text, route_values
from awscli_cwlogs.sources.journal.journalctl import journalctl_command

STREAM = StreamConfig(section="j", log_group_name="g", log_stream_name="s", source="journald")
ENTRY = {"__CURSOR": "s=1;i=2", "__REALTIME_TIMESTAMP": "1796000000123456", "__MONOTONIC_TIMESTAMP": "5",
         "MESSAGE": "hello", "SYSLOG_IDENTIFIER": "sshd", "_PID": "77", "_COMM": "sshd-session", "PRIORITY": "6"}


def test_the_command_line_for_each_start(monkeypatch):
    monkeypatch.setattr(journalctl, "systemd_version", lambda journalctl: 219)  # before --output-fields
    stream = StreamConfig(section="j", log_group_name="g", log_stream_name="s", source="journald",
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
    as_json = StreamConfig(section="j", log_group_name="g", log_stream_name="s", source="journald",
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


def test_field_text_decodes_bytes_and_joins_repeated_fields():
    assert field_text("x") == "x"
    assert field_text([104, 105, 255]) == "hi\ufffd"
    assert field_text(["a", "b"]) == "a\nb"
    assert field_text(None) == "" and field_text([]) == ""


def test_the_three_formats():
    assert FORMATTERS["short"](ENTRY) == "sshd[77]: hello"
    assert FORMATTERS["short"]({**ENTRY, "SYSLOG_PID": "78"}) == "sshd[78]: hello"
    assert FORMATTERS["short"]({"MESSAGE": "m", "_COMM": "cron"}) == "cron: m"
    assert FORMATTERS["short"]({"MESSAGE": "m"}) == "unknown: m"
    assert FORMATTERS["message"](ENTRY) == "hello"
    fields = json.loads(FORMATTERS["json"]({**ENTRY, "MESSAGE": [104, 255]}))
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


def test_a_batch_ending_in_the_first_part_of_an_oversized_entry_records_no_position():
    """The first parts of an entry over 1 MB, before any earlier entry of its stream, carry no
    position: a batch that ends with one is sent and counted, and records nothing."""
    import queue

    from awscli_cwlogs.agent.batch import BodyFormat, make_batch
    from awscli_cwlogs.agent.lifecycle import Lifecycle
    from awscli_cwlogs.agent.publisher import Publisher
    from awscli_cwlogs.sources.journal.entries import JournalRoute
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


def test_the_watermark_is_the_earliest_entry_not_accepted_whatever_its_route():
    from awscli_cwlogs.sources.journal.entries import Watermark

    def at(number):
        return (f"s=1;i={number:x}", 1_000_000 + number)

    watermark = Watermark(start=at(0))
    watermark.read({"a": (at(1), at(5)), "b": (at(2), at(6))}, latest=at(7))  # 7: an empty entry
    assert watermark.accepted("b", at(6)) == {Watermark.key: at(1)}  # a's entries wait
    assert watermark.accepted("a", at(3)) == {Watermark.key: at(3)}  # a's row says 3 was sent
    assert watermark.accepted("a", at(5)) == {Watermark.key: at(7)}  # all accepted: the last entry read
    watermark.read({"b": (at(9), at(9))}, latest=at(9))
    assert watermark.accepted("a", at(5)) == {Watermark.key: at(9)}  # b's 9 still waits
    assert Watermark().accepted("a", at(1)) == {}  # nothing read, nothing saved


def test_a_restart_starts_at_the_watermark_else_the_earliest_route():
    from awscli_cwlogs.sources.journal.source import KEY, restart_position
    routes = {("journald;unit=a", 0): ("s=1;i=5", 5), ("journald;unit=b", 0): ("s=1;i=3", 3)}
    assert restart_position(routes) == ("s=1;i=3", 3)
    assert restart_position({**routes, KEY: ("s=1;i=9", 9)}) == ("s=1;i=9", 9)
    assert restart_position({}) is None


@pytest.mark.parametrize("names, expected", [
    ("{unit}", ["a.service", "a.service", "ident-x", "b.service"]),
    ("{identifier}", ["x", "x", "x", "y"]),
    ("{unit}-{identifier}", ["a.service-x", "a.service-x", "ident-x-x", "b.service-y"]),
])
def test_each_entry_goes_to_its_route_whatever_the_cache_knows(names, expected):
    """The route cache is keyed by the one field that decides the route; an entry without it
    (no unit: its identifier decides), or with a name using two fields, takes the full way."""
    from awscli_cwlogs.sources.journal.source import JournaldSource

    stream = StreamConfig(section="j", log_group_name="g", log_stream_name=names, source="journald",
                          message_format="message")
    entries = [{"_SYSTEMD_UNIT": "a.service", "SYSLOG_IDENTIFIER": "x"},
               {"_SYSTEMD_UNIT": "a.service", "SYSLOG_IDENTIFIER": "x"},
               {"SYSLOG_IDENTIFIER": "ident-x"} if names == "{unit}" else
               {"SYSLOG_IDENTIFIER": "x", **({"_SYSTEMD_UNIT": "ident-x"} if "unit" in names else {})},
               {"_SYSTEMD_UNIT": "b.service", "SYSLOG_IDENTIFIER": "y"}]
    data = b"".join(json.dumps({**entry, "MESSAGE": f"m{i}", "__CURSOR": f"s=1;i={i}",
                                "__REALTIME_TIMESTAMP": str(1_796_000_000_000_000 + i)}).encode() + b"\n"
                    for i, entry in enumerate(entries))
    source = JournaldSource(stream, {}, False)
    routed = {event[1]: "-".join(route.name_values.values()) for _, route, events in source._events(data)
              for event in events}
    assert [routed[f"m{i}"] for i in range(4)] == expected
