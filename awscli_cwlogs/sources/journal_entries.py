"""Journal entries (dicts from ``journalctl -o json``) as events, routes and positions: pure
functions, no I/O. A position is (cursor, __REALTIME_TIMESTAMP in microseconds)."""
import json

from awscli_cwlogs.events import MAX_MESSAGE_BYTES, _split_utf8

_BOOKKEEPING = ("__CURSOR", "__MONOTONIC_TIMESTAMP", "__SEQNUM", "__SEQNUM_ID")


def field_text(value):
    """A journal field as text: strings as they are, byte arrays decoded, repeated fields joined."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if value and all(isinstance(item, int) for item in value):
        return bytes(value).decode("utf-8", errors="replace")
    return "\n".join(field_text(item) for item in value)


def format_entry(entry, message_format):
    """The event's message for an entry (a dict from journalctl's JSON)."""
    message = field_text(entry.get("MESSAGE"))
    if message_format == "message":
        return message
    if message_format == "json":
        fields = {name: field_text(value) for name, value in entry.items() if name not in _BOOKKEEPING}
        return json.dumps(fields, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    identifier = field_text(entry.get("SYSLOG_IDENTIFIER") or entry.get("_COMM")) or "unknown"
    pid = field_text(entry.get("SYSLOG_PID") or entry.get("_PID"))
    return f"{identifier}[{pid}]: {message}" if pid else f"{identifier}: {message}"


def route_values(entry, used):
    """The entry's values of the placeholders the section's names use ({unit}: its unit, else
    its identifier; {identifier})."""
    values = {}
    if "unit" in used:
        values["unit"] = field_text(entry.get("_SYSTEMD_UNIT") or entry.get("SYSLOG_IDENTIFIER")) or "unknown"
    if "identifier" in used:
        values["identifier"] = field_text(entry.get("SYSLOG_IDENTIFIER") or entry.get("_COMM")) or "unknown"
    return values


def at_or_before(position, saved):
    """True if the entry at ``position`` (cursor, realtime µs) comes no later than ``saved``:
    by sequence number within one journal sequence, else by time."""
    (cursor, realtime), (saved_cursor, saved_realtime) = position, saved
    (sequence, number), (saved_sequence, saved_number) = _cursor_order(cursor), _cursor_order(saved_cursor)
    if sequence is not None and sequence == saved_sequence:
        return number <= saved_number
    return realtime <= saved_realtime


def _cursor_order(cursor):
    fields = dict(part.split("=", 1) for part in cursor.split(";") if "=" in part)
    try:
        return fields.get("s"), int(fields.get("i", ""), 16)
    except ValueError:
        return None, 0


class JournalRoute:
    """The entries of one route (with {unit} in the names: one unit's): the origin the agent routes
    events by and saves positions under, each route with its own cursor."""

    file_name = "journal"

    def __init__(self, values):
        self.name_values = values
        self.key = ("journald" + "".join(f";{name}={value}" for name, value in values.items()), 0)

    def state_row(self, position):
        return position  # (cursor, time in microseconds)


def entry_events(entry, message_format, previous):
    """Events (timestamp_ms, message, size, position) of one entry; an entry over the size limit
    becomes parts, of which only the last carries the entry's position (``previous`` the rest)."""
    cursor = entry["__CURSOR"]
    realtime = int(entry["__REALTIME_TIMESTAMP"])
    message = format_entry(entry, message_format)
    if not message:
        return []
    position, timestamp = (cursor, realtime), realtime // 1000
    size = len(message.encode("utf-8"))
    if size <= MAX_MESSAGE_BYTES:
        return [(timestamp, message, size, position)]
    parts = _split_utf8(message, MAX_MESSAGE_BYTES)
    return [(timestamp, part, len(part.encode("utf-8")), position if i == len(parts) - 1 else previous)
            for i, part in enumerate(parts)]
