"""sources/journal/entries.py: entries to events, the formats, the Watermark (no I/O)."""
import json

from awscli_cwlogs.config.settings import StreamConfig
from awscli_cwlogs.limits import MAX_MESSAGE_BYTES
from awscli_cwlogs.sources.journal.entries import FORMATTERS, entry_events, field_text

STREAM = StreamConfig(section="j", log_group_name="g", log_stream_name="s", source="journald")


ENTRY = {"__CURSOR": "s=1;i=2", "__REALTIME_TIMESTAMP": "1796000000123456", "__MONOTONIC_TIMESTAMP": "5",
         "MESSAGE": "hello", "SYSLOG_IDENTIFIER": "sshd", "_PID": "77", "_COMM": "sshd-session", "PRIORITY": "6"}


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

