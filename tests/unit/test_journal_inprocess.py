"""What the in-process reader reads of an entry: only the fields the section's format and names
need, a field's alternative only where the field is missing or empty; shaped as journalctl's JSON."""
import ctypes
import errno
from types import SimpleNamespace

import pytest

from awscli_cwlogs.sources.journal.entries import FORMATTERS, route_values
from awscli_cwlogs.sources.journal.inprocess import fields_read, read_entry
from awscli_cwlogs.sources.journal.sdjournal import APPEND, NOP, Journal, JournalError


class FakeJournal:
    """One entry's fields behind a stand-in for sd_journal_get_data, so that the real per-entry loop
    (Journal.first_values) runs; it counts what is asked."""

    first_values = Journal.first_values

    def __init__(self, fields):
        self._fields = {name.encode(): value.encode() for name, value in fields.items()}
        self.asked = []
        self._handle, self._lent, self._size = None, ctypes.POINTER(ctypes.c_char)(), ctypes.c_size_t()
        self._lent_at, self._size_at = ctypes.byref(self._lent), ctypes.byref(self._size)
        self._kept = []

    def _get_data(self, handle, raw, lent_at, size_at):
        self.asked.append(raw.decode())
        if raw not in self._fields:
            return -2
        data = ctypes.create_string_buffer(raw + b"=" + self._fields[raw])
        self._kept.append(data)
        ctypes.cast(ctypes.pointer(self._lent), ctypes.POINTER(ctypes.c_void_p))[0] = ctypes.addressof(data)
        self._size.value = len(data) - 1
        return 0

    def cursor(self):
        return "s=1;i=2"

    def realtime_usec(self):
        return 1_700_000_000_123_456


def section(message_format="short", stream="all"):
    return SimpleNamespace(options=SimpleNamespace(message_format=message_format), log_group_name="g",
                           log_stream_name=stream)


@pytest.mark.parametrize("message_format, stream, fields", [
    ("message", "all", [["MESSAGE"]]),
    ("short", "all", [["MESSAGE"], ["SYSLOG_IDENTIFIER", "_COMM"], ["SYSLOG_PID", "_PID"]]),
    ("message", "{unit}", [["MESSAGE"], ["_SYSTEMD_UNIT", "SYSLOG_IDENTIFIER"]]),
    ("message", "{identifier}-{unit}", [["MESSAGE"], ["_SYSTEMD_UNIT", "SYSLOG_IDENTIFIER"],
                                        ["SYSLOG_IDENTIFIER", "_COMM"]]),
    ("json", "{unit}", None),
])
def test_the_fields_read_are_those_the_format_and_names_need(message_format, stream, fields):
    read = fields_read(section(message_format, stream))
    assert (None if read is None else [[name for name, _ in choice] for choice in read]) == fields
    assert read is None or all(raw == name.encode() for choice in read for name, raw in choice)


@pytest.mark.parametrize("fields, asked, text", [
    ({"MESSAGE": "hi", "SYSLOG_IDENTIFIER": "sshd", "SYSLOG_PID": "7", "_COMM": "x", "_PID": "8"},
     ["MESSAGE", "SYSLOG_IDENTIFIER", "SYSLOG_PID"], "sshd[7]: hi"),
    ({"MESSAGE": "hi", "_COMM": "cron", "_PID": "8"},
     ["MESSAGE", "SYSLOG_IDENTIFIER", "_COMM", "SYSLOG_PID", "_PID"], "cron[8]: hi"),
    ({"MESSAGE": "hi", "SYSLOG_IDENTIFIER": "", "_COMM": "cron"},
     ["MESSAGE", "SYSLOG_IDENTIFIER", "_COMM", "SYSLOG_PID", "_PID"], "cron: hi"),
    ({"MESSAGE": "hi"}, ["MESSAGE", "SYSLOG_IDENTIFIER", "_COMM", "SYSLOG_PID", "_PID"], "unknown: hi"),
])
def test_an_alternative_is_read_only_where_the_field_is_missing_or_empty(fields, asked, text):
    journal = FakeJournal(fields)
    entry = read_entry(journal, fields_read(section()))
    assert journal.asked == asked
    assert FORMATTERS["short"](entry) == text
    assert entry["__CURSOR"] == "s=1;i=2" and entry["__REALTIME_TIMESTAMP"] == "1700000000123456"


def test_a_field_two_groups_need_is_read_once_and_routes_as_journalctl_would():
    journal = FakeJournal({"MESSAGE": "hi", "SYSLOG_IDENTIFIER": "sshd", "_PID": "8"})
    entry = read_entry(journal, fields_read(section("short", "{unit}")))
    assert journal.asked.count("SYSLOG_IDENTIFIER") == 1
    assert route_values(entry, ["unit"]) == {"unit": "sshd"}
    assert FORMATTERS["short"](entry) == "sshd[8]: hi"


def test_a_failing_read_is_an_error_not_a_missing_field():
    journal = FakeJournal({"MESSAGE": "hi"})
    journal._get_data = lambda *args: -5
    with pytest.raises(JournalError):
        journal.first_values(fields_read(section()))


@pytest.mark.parametrize("code, answer", [(-errno.EINTR, NOP), (APPEND, APPEND), (NOP, NOP)])
def test_a_wait_a_signal_interrupts_is_a_wait_with_nothing_new(code, answer):
    journal = Journal.__new__(Journal)
    journal._handle, journal._lib = None, SimpleNamespace(sd_journal_wait=lambda handle, usec: code)
    assert journal.wait(0.5) == answer


def test_a_failing_wait_is_an_error_naming_the_call():
    journal = Journal.__new__(Journal)
    journal._handle, journal._lib = None, SimpleNamespace(sd_journal_wait=lambda handle, usec: -errno.EBADF)
    with pytest.raises(JournalError, match="sd_journal_wait"):
        journal.wait(0.5)
