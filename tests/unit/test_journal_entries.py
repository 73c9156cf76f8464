"""sources/journal/entries.py: entries to events, the formats, the Watermark, entries read half-written
(Unfinished: a clock and a re-read stand in) (no I/O)."""
import json

import pytest

from tests.harness.sections import make_stream
from awscli_cwlogs.limits import MAX_MESSAGE_BYTES
from awscli_cwlogs.sources.journal import entries as journal_entries
from awscli_cwlogs.sources.journal.entries import (FORMATTERS, UNFINISHED_WAIT_S, Unfinished, entry_events, field_text,
                                                   written_after)

STREAM = make_stream(section="j", log_group_name="g", log_stream_name="s", source="journald")


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


def entry(sequence, number, message=None):
    found = {"__CURSOR": f"s={sequence};i={number:x};b=b;m=1;t=2;x=3", "__REALTIME_TIMESTAMP": str(number)}
    return found if message is None else {**found, "MESSAGE": message}


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


class Journal:
    """What the entry at a cursor holds when read again."""

    def __init__(self, *entries):
        self.entries = {item["__CURSOR"]: item for item in entries}
        self.asked = []

    def entry_at(self, cursor):
        self.asked.append(cursor)
        return self.entries.get(cursor)


def test_written_after_is_a_later_number_of_the_same_sequence():
    assert written_after("s=a;i=9", "s=a;i=a")
    assert not written_after("s=a;i=a", "s=a;i=9") and not written_after("s=a;i=a", "s=a;i=a")
    assert not written_after("s=a;i=1", "s=b;i=2")
    assert not written_after("no sequence", "s=b;i=2")


def test_entries_with_a_message_pass_on_as_they_are_and_nothing_is_read_again():
    journal = Journal()
    unfinished = Unfinished(journal.entry_at, Clock())
    read = [entry("a", 1, "one"), entry("a", 2, "two")]
    assert unfinished.pass_on(read) == read and unfinished.pass_on([]) == []
    assert journal.asked == []


def test_an_entry_without_message_waits_for_a_later_entry_of_its_writer_then_is_read_again():
    journal = Journal(entry("a", 2, "two"))
    unfinished = Unfinished(journal.entry_at, Clock())
    assert unfinished.pass_on([entry("a", 1, "one"), entry("a", 2)]) == [entry("a", 1, "one")]
    assert unfinished.pass_on([]) == [] and journal.asked == []
    assert unfinished.pass_on([entry("a", 3, "three")]) == [entry("a", 2, "two"), entry("a", 3, "three")]
    assert journal.asked == [entry("a", 2)["__CURSOR"]]


def test_another_writer_s_entry_proves_nothing_the_wait_ends_it():
    journal = Journal(entry("a", 2, "two"))
    clock = Clock()
    unfinished = Unfinished(journal.entry_at, clock)
    assert unfinished.pass_on([entry("a", 2), entry("b", 7, "other")]) == []
    clock.now += UNFINISHED_WAIT_S - 0.1
    assert unfinished.pass_on([entry("b", 8, "other")]) == [] and journal.asked == []
    clock.now += 0.1
    assert unfinished.pass_on([]) == [entry("a", 2, "two"), entry("b", 7, "other"), entry("b", 8, "other")]


def test_an_entry_that_has_no_message_goes_on_after_the_wait_read_once_more():
    journal = Journal(entry("a", 2))
    clock = Clock()
    unfinished = Unfinished(journal.entry_at, clock)
    assert unfinished.pass_on([entry("a", 2)]) == []
    clock.now += UNFINISHED_WAIT_S
    assert unfinished.pass_on([]) == [entry("a", 2)]
    assert unfinished.pass_on([entry("a", 3, "three")]) == [entry("a", 3, "three")]
    assert len(journal.asked) == 1


def test_an_entry_gone_when_read_again_goes_on_as_first_read():
    unfinished = Unfinished(Journal().entry_at, Clock())
    assert unfinished.pass_on([entry("a", 2), entry("a", 3, "three")]) == [entry("a", 2), entry("a", 3, "three")]


def test_two_entries_without_message_are_each_read_again():
    journal = Journal(entry("a", 2, "two"), entry("a", 4, "four"))
    unfinished = Unfinished(journal.entry_at, Clock())
    read = [entry("a", 2), entry("a", 3, "three"), entry("a", 4), entry("a", 5, "five")]
    assert [item["MESSAGE"] for item in unfinished.pass_on(read)] == ["two", "three", "four", "five"]


def test_a_restart_of_the_reader_drops_what_was_held_it_comes_again():
    unfinished = Unfinished(Journal().entry_at, Clock())
    assert unfinished.pass_on([entry("a", 1, "one"), entry("a", 2), entry("b", 1, "x")]) == [entry("a", 1, "one")]
    unfinished.drop()
    assert unfinished.pass_on([entry("a", 3, "three")]) == [entry("a", 3, "three")]


@pytest.mark.parametrize("held, released", [(3, False), (4, True)])
def test_memory_stays_bounded_past_so_many_held_entries_it_is_read_again_at_once(monkeypatch, held, released):
    monkeypatch.setattr(journal_entries, "UNFINISHED_HELD", 3)
    journal = Journal(entry("a", 1, "one"))
    unfinished = Unfinished(journal.entry_at, Clock())
    passed = unfinished.pass_on([entry("a", 1)] + [entry("b", i, "x") for i in range(held - 1)])
    assert (passed[:1] == [entry("a", 1, "one")]) == released and (passed == []) != released
