"""Lines -> events: the rule for where an event starts, the event being built, and its time.

The rule (add_text): a line joins the pending event unless ``starts_event`` says it starts one,
or the event would grow past ``max_message_bytes`` (then what follows continues it in a new
event); a line over the limit is cut into parts. fastpaths.py takes the common cases without a
call per line and must give exactly what this gives (tests/unit/test_events.py holds every fast
path against it).
"""
import time


def starts_with_non_space(line):
    return bool(line) and not line[0].isspace()


def utf8_size(text):
    return len(text) if text.isascii() else len(text.encode("utf-8"))


class EventGrouper:
    """The event being built from lines, in order: ``_lines`` (its lines), ``_size`` (UTF-8 bytes,
    newlines included), ``_timestamp`` and ``_end`` (the offset past its last line)."""

    def __init__(self, spec, offset=0, clock=time.monotonic, now=time.time):
        self._spec = spec
        self._clock = clock
        self._now = now
        self._last_data = clock()  # when a line last came: an idle pending event goes out a while after
        self._lines = []
        self._size = 0
        self._timestamp = None
        self._end = offset
        self._last_timestamp = None
        self._known_timestamp = None  # the time of the line being added, when its source knows it
        self.empty_events = 0

    def add_line(self, text, size, timestamp, start, end, out):
        """A line whose time is known (a container log record's), grouped as a file's lines are."""
        self._last_data = self._clock()
        self._known_timestamp = timestamp
        self._add_text(text, size, start, end, out)

    def _add_text(self, text, size, start, end, out):
        if self._lines and not self._spec.starts_event(text):
            if self._size + 1 + size <= self._spec.max_message_bytes:
                self._lines.append(text)
                self._size += 1 + size
                self._end = end
                return
            self._emit(out)  # the event is full: what follows continues it in a new part
        else:
            self._emit(out)
            self._timestamp = self._timestamp_of(text)
        if size > self._spec.max_message_bytes:
            self._spec.counts["split"] = self._spec.counts.get("split", 0) + 1
            *parts, text = split_utf8(text, self._spec.max_message_bytes)
            for part in parts:  # a crash before the last part is sent re-reads the whole line
                out.append((self._timestamp, part, utf8_size(part), start))
            size = utf8_size(text)
        self._lines = [text]
        self._size = size
        self._end = end

    def _timestamp_of(self, text):
        """The source's time for the line, else its datetime_format's, else (a line without one)
        the previous event's; without a datetime_format, the time it is read."""
        if self._known_timestamp is not None:
            return self._known_timestamp
        if not self._spec.timestamp:
            return int(self._now() * 1000)
        parsed = self._spec.timestamp(text)
        if parsed is None:
            parsed = self._last_timestamp if self._last_timestamp is not None else int(self._now() * 1000)
        self._last_timestamp = parsed
        return parsed

    def _take_events(self, stamps, texts, lengths, ends, out):
        """Texts that each start an event: the pending one and all but the last go out; the last
        waits, as continuation lines may follow."""
        self._emit(out)
        events = list(zip(stamps, texts, lengths, ends))
        self._timestamp, message, self._size, self._end = events.pop()
        self._lines = [message]
        out += events

    def _emit(self, out):
        if not self._lines:
            return
        message = self._lines[0] if len(self._lines) == 1 else "\n".join(self._lines)
        if message:
            out.append((self._timestamp, message, self._size, self._end))
        else:
            self.empty_events += 1  # the service refuses empty messages; a blank line carries nothing
        self._lines = []
        self._size = 0


def split_utf8(text, limit):
    """Consecutive pieces of ``text`` of at most ``limit`` UTF-8 bytes, cut between characters."""
    data = text.encode("utf-8")
    pieces, start = [], 0
    while len(data) - start > limit:
        cut = start + limit
        while data[cut] & 0xC0 == 0x80:  # never inside a multi-byte character
            cut -= 1
        pieces.append(data[start:cut].decode("utf-8"))
        start = cut
    pieces.append(data[start:].decode("utf-8"))
    return pieces
