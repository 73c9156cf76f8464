"""Journal entries (dicts from ``journalctl -o json``) as events, routes and positions: pure
functions, no I/O. A position is (cursor, __REALTIME_TIMESTAMP in microseconds)."""
import json
import threading
import time

from awscli_cwlogs.lines.grouping import split_utf8
from awscli_cwlogs.limits import MAX_MESSAGE_BYTES

UNFINISHED_WAIT_S = 5.0  # how long an entry read without MESSAGE may still be half-written: then it is read again
UNFINISHED_HELD = 20_000  # entries held back behind it at most: then it is read again at once
_BOOKKEEPING = ("__CURSOR", "__MONOTONIC_TIMESTAMP", "__SEQNUM", "__SEQNUM_ID")
# what each format and name placeholder below reads: a field, or the next where it is missing or
# empty (short: SYSLOG_IDENTIFIER or else _COMM)
FORMAT_FIELDS = {"message": (("MESSAGE",),),
                 "short": (("MESSAGE",), ("SYSLOG_IDENTIFIER", "_COMM"), ("SYSLOG_PID", "_PID"))}
NAME_FIELDS = {"unit": ("_SYSTEMD_UNIT", "SYSLOG_IDENTIFIER"), "identifier": ("SYSLOG_IDENTIFIER", "_COMM")}
# all of them: journalctl prints only these (and the cursor and times), a third of a real entry's JSON
SHORT_FIELDS = tuple(dict.fromkeys(name for alternatives in FORMAT_FIELDS["short"] + tuple(NAME_FIELDS.values())
                                   for name in alternatives))


def field_text(value):
    """A journal field as text: strings as they are, byte arrays decoded, repeated fields joined."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if value and all(isinstance(item, int) for item in value):
        return bytes(value).decode("utf-8", errors="replace")
    return "\n".join(field_text(item) for item in value)


def _text(entry, name):
    value = entry.get(name)
    return value if type(value) is str else field_text(value)  # noqa: E721 (str exactly: the common case, fast)


def message_text(entry):
    """The ``message`` format: MESSAGE alone."""
    return _text(entry, "MESSAGE")


def short_text(entry):
    """The ``short`` format, as syslog: IDENTIFIER[PID]: MESSAGE."""
    get = entry.get
    identifier, pid, message = get("SYSLOG_IDENTIFIER") or get("_COMM"), get("SYSLOG_PID") or get("_PID"), \
        get("MESSAGE")
    if type(identifier) is not str or type(pid) is not str or type(message) is not str:  # noqa: E721
        identifier = _text(entry, "SYSLOG_IDENTIFIER") or _text(entry, "_COMM") or "unknown"
        pid = _text(entry, "SYSLOG_PID") or _text(entry, "_PID")
        message = _text(entry, "MESSAGE")
        return f"{identifier}[{pid}]: {message}" if pid else f"{identifier}: {message}"
    return f"{identifier}[{pid}]: {message}"


def json_text(entry):
    """The ``json`` format: the entry's fields as text, without the cursor and monotonic bookkeeping."""
    fields = {name: field_text(value) for name, value in entry.items() if name not in _BOOKKEEPING}
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


FORMATTERS = {"short": short_text, "message": message_text, "json": json_text}


def route_values(entry, used):
    """The entry's values of the placeholders the section's names use ({unit}: its unit, else
    its identifier; {identifier})."""
    values = {}
    if "unit" in used:
        values["unit"] = _text(entry, "_SYSTEMD_UNIT") or _text(entry, "SYSLOG_IDENTIFIER") or "unknown"
    if "identifier" in used:
        values["identifier"] = _text(entry, "SYSLOG_IDENTIFIER") or _text(entry, "_COMM") or "unknown"
    return values


def at_or_before(position, saved):
    """True if the entry at ``position`` (cursor, realtime µs) comes no later than ``saved``:
    by sequence number within one journal sequence, else by time."""
    (cursor, realtime), (saved_cursor, saved_realtime) = position, saved
    (sequence, number), (saved_sequence, saved_number) = cursor_order(cursor), cursor_order(saved_cursor)
    if sequence is not None and sequence == saved_sequence:
        return number <= saved_number
    return realtime <= saved_realtime


def cursor_order(cursor):
    """(sequence id, sequence number) of a cursor; (None, 0) if it has none."""
    fields = dict(part.split("=", 1) for part in cursor.split(";") if "=" in part)
    try:
        return fields.get("s"), int(fields.get("i", ""), 16)
    except ValueError:
        return None, 0


class JournalRoute:
    """The entries of one route (with {unit} in the names: one unit's): the origin the agent routes
    events by and saves positions under, each route with its own cursor."""

    file_name = "journal"

    def __init__(self, values, watermark=None):
        self.name_values = values
        self.key = ("journald" + "".join(f";{name}={value}" for name, value in values.items()), 0)
        self._watermark = watermark

    def state_row(self, position):
        return position  # (cursor, time in microseconds)

    def accepted(self, position):
        """More rows to save now that CloudWatch Logs accepted this route up to ``position``."""
        return self._watermark.accepted(self.key, position) if self._watermark else {}


class Watermark:
    """Where a restart of a section with a cursor per route starts: the earliest entry not yet
    accepted, whatever its route (else the last entry read). Without it a restart would start
    at the oldest route's cursor: a unit that logged once a week ago would replay the week.
    ``read`` is told in the agent's thread, ``accepted`` in the publisher's."""

    key = ("journald", 0)

    def __init__(self, start=None):
        self._lock = threading.Lock()
        self._latest = start  # the last entry read
        self._pending = {}  # route key -> the first of its entries not accepted yet
        self._last = {}  # route key -> its last entry read

    def read(self, runs, latest):
        """``runs``: route key -> (first, last) position of its events read now."""
        with self._lock:
            self._latest = latest
            for key, (first, last) in runs.items():
                self._pending.setdefault(key, first)
                self._last[key] = last

    def accepted(self, key, position):
        with self._lock:
            if key in self._pending:
                if at_or_before(self._last[key], position):
                    del self._pending[key]
                    del self._last[key]
                else:
                    self._pending[key] = position  # a restart there drops it: the route's row has it
            start = earliest(self._pending.values()) or self._latest
        return {self.key: start} if start else {}


def earliest(positions):
    """The earliest of journal positions, in journal order; None if there are none."""
    found = None
    for position in positions:
        if found is None or at_or_before(position, found):
            found = position
    return found


def message_events(message, position, previous, limit=MAX_MESSAGE_BYTES):
    """Events (timestamp_ms, message, size, position) of one entry's message; a message over
    ``limit`` bytes becomes parts, of which only the last carries the entry's position
    (``previous`` the rest). An empty message is no event: the service refuses those."""
    if not message:
        return []
    timestamp = position[1] // 1000
    size = len(message) if message.isascii() else len(message.encode("utf-8"))
    if size <= limit:
        return [(timestamp, message, size, position)]
    parts = split_utf8(message, limit)
    return [(timestamp, part, len(part.encode("utf-8")), position if i == len(parts) - 1 else previous)
            for i, part in enumerate(parts)]


def entry_events(entry, message_format, previous, limit=MAX_MESSAGE_BYTES):
    """The events of one entry (a dict from journalctl's JSON) in a format."""
    position = (entry["__CURSOR"], int(entry["__REALTIME_TIMESTAMP"]))
    return message_events(FORMATTERS[message_format](entry), position, previous, limit)


def written_after(cursor, later):
    """True if the entry at ``later`` was written after the one at ``cursor`` by the same writer
    (the same sequence, a larger number): a writer appends one entry at a time, so it had
    finished the entry at ``cursor`` by then."""
    (sequence, number), (later_sequence, later_number) = cursor_order(cursor), cursor_order(later)
    return sequence is not None and sequence == later_sequence and later_number > number


class Unfinished:
    """Holds back an entry read without MESSAGE, and the entries after it, until its writer is
    surely done with it, then has it read again (``reread``: cursor -> entry, or None).

    A journal writer puts an entry in the file's index before it links the entry's new field
    values; libsystemd (and so journalctl) reads an entry in that window without them, MESSAGE
    first of all (a new value in nearly every entry), and says nothing. Done is: an entry the
    same writer wrote later is there, or UNFINISHED_WAIT_S passed. An entry that has no MESSAGE
    costs one read more."""

    def __init__(self, reread, clock=time.monotonic):
        self._reread, self._clock = reread, clock
        self._held = []  # from the first entry read without MESSAGE on
        self._seen = None  # (its cursor, when it was first read)

    def pass_on(self, entries):
        """Of what the reader read (and what was held back), the entries that may go on now."""
        entries = self._held + entries if self._held else entries
        self._held, start = [], 0
        while True:
            at = next((i for i in range(start, len(entries)) if "MESSAGE" not in entries[i]), None)
            if at is None:
                return entries
            cursor = entries[at].get("__CURSOR")
            if not isinstance(cursor, str):
                return entries  # the source skips it with a warning
            if self._seen is None or self._seen[0] != cursor:
                self._seen = (cursor, self._clock())
            if not self._done(cursor, entries, at):
                self._held = entries[at:]
                return entries[:at]
            entries[at] = self._reread(cursor) or entries[at]
            self._seen, start = None, at + 1

    def _done(self, cursor, entries, at):
        return (any(written_after(cursor, later.get("__CURSOR", "")) for later in entries[at + 1:])
                or self._clock() - self._seen[1] >= UNFINISHED_WAIT_S or len(entries) - at > UNFINISHED_HELD)

    def drop(self):
        """The reader starts again from the last entry passed on: what was held comes again."""
        self._held, self._seen = [], None
