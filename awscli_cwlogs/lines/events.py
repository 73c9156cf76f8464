"""Bytes of one source -> log events: decode, split lines, join multi-line events, timestamp.

An event is a tuple ``(timestamp_ms, message, utf8_size, end_offset)``; ``end_offset`` is the
source offset just past the event's last byte, which is what the state file records once
the service has accepted the event.
"""
import operator
import re
import time
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Callable, Optional

from awscli_cwlogs.limits import EVENT_OVERHEAD, MAX_MESSAGE_BYTES
from awscli_cwlogs.lines.timestamps import TimestampFormat

DEFAULT_MULTI_LINE_START = r"^[^\s]"  # a line that does not start with white space starts an event
DATETIME_FORMAT_PATTERN = "{datetime_format}"  # multi_line_start_pattern's value: a line with a timestamp

IDLE_FLUSH_S = 1.0
_PLUS_ONE = (1).__add__  # a line's length with its newline
_TEXT, _TIME, _END = operator.itemgetter(0), operator.itemgetter(1), operator.itemgetter(3)  # of add_lines' lines


@dataclass(frozen=True)
class EventSpec:
    encoding: str
    starts_event: Callable[[str], bool]
    timestamp: Optional[Callable[[str], Optional[int]]]
    timestamps: Optional[Callable[[list], list]] = None  # timestamp() of each of a list of lines
    max_message_bytes: int = MAX_MESSAGE_BYTES
    ascii_compatible: bool = True  # ASCII bytes decode to the same characters
    counts: dict = field(default_factory=dict, compare=False)  # "split": lines over the size limit, sent as parts


def event_spec(stream, now=time.time):
    """How the lines of a stream become events, from its StreamConfig."""
    timestamps = TimestampFormat(stream.datetime_format, stream.time_zone, now) if stream.datetime_format else None
    pattern = stream.multi_line_start_pattern
    if pattern == DEFAULT_MULTI_LINE_START:
        starts_event = _starts_with_non_space
    elif pattern == DATETIME_FORMAT_PATTERN:
        starts_event = timestamps.starts
    else:
        search = re.compile(pattern).search
        starts_event = lambda line: search(line) is not None  # noqa: E731
    return EventSpec(
        encoding=stream.encoding,
        starts_event=starts_event,
        timestamp=timestamps.parse if timestamps else None,
        timestamps=timestamps.parse_lines if timestamps else None,
        max_message_bytes=min(MAX_MESSAGE_BYTES, stream.batch_size - EVENT_OVERHEAD),
        ascii_compatible=_ascii_compatible(stream.encoding),
    )


def event_filter(stream):
    """None, or a test of an event's whole message: an include pattern matches (if any are
    given) and no exclude pattern does. Exclusion wins."""
    if not stream.include_patterns and not stream.exclude_patterns:
        return None
    include = [re.compile(pattern).search for pattern in stream.include_patterns]
    exclude = [re.compile(pattern).search for pattern in stream.exclude_patterns]

    def keep(message):
        if include and not any(search(message) for search in include):
            return False
        return not any(search(message) for search in exclude)
    return keep


def _ascii_compatible(encoding):
    sample = bytes(range(128))
    try:
        return sample.decode(encoding) == sample.decode("ascii")
    except (UnicodeDecodeError, LookupError):
        return False


def _starts_with_non_space(line):
    return bool(line) and not line[0].isspace()


def utf8_size(text):
    return len(text) if text.isascii() else len(text.encode("utf-8"))


class EventReader:
    """Turns the bytes of one source, fed in order from ``offset``, into events."""

    def __init__(self, spec, offset=0, clock=time.monotonic, now=time.time):
        self._spec = spec
        self._clock = clock
        self._now = now
        self._partial = b""
        self._partial_start = offset  # offset of the first byte not yet in a complete line
        self._lines = []  # the pending event's lines
        self._size = 0  # its UTF-8 size, newlines included
        self._timestamp = None
        self._end = offset
        self._last_timestamp = None
        self._known_timestamp = None  # the time of the line being added, when its source knows it
        self._last_data = clock()
        self.empty_events = 0

    @property
    def has_pending(self):
        return bool(self._lines or self._partial)

    def feed(self, data):
        """The events completed by ``data``; an event stays pending until the next one starts."""
        out = []
        complete = self._complete_lines(data)
        if not complete:
            return out
        if self._spec.ascii_compatible and complete.isascii():
            text = complete.decode("ascii")
            lines = text.split("\n")
            lines.pop()  # after the last newline
            if "\r" not in text and self._add_event_lines(lines, self._partial_start, out):
                self._partial_start += len(complete)
            else:
                self._partial_start = self._add_ascii(lines, self._partial_start, out)
            return out
        position = self._partial_start
        lines = complete.split(b"\n")
        lines.pop()
        for raw in lines:
            start = position
            position += len(raw) + 1
            self._add_line(raw, start, position, out)
        self._partial_start = position
        return out

    def _complete_lines(self, data):
        """The bytes up to the last newline of what came so far; the rest waits for more."""
        if not data:
            return b""
        self._last_data = self._clock()
        buffer = self._partial + data if self._partial else data
        cut = buffer.rfind(b"\n") + 1
        complete, self._partial = buffer[:cut], buffer[cut:]
        return complete

    def _add_event_lines(self, lines, position, out):
        """The most common case, list-wise: ASCII lines (a character is a byte) that each start an
        event and fit in one. False, having done nothing, when that is not so."""
        lengths = self._event_lengths(lines) if self._known_timestamp is None else None
        if lengths is None:
            return False
        spec = self._spec
        if spec.timestamp is None:
            stamps = [int(self._now() * 1000)] * len(lines)
        else:
            stamps = spec.timestamps(lines) if spec.timestamps else list(map(spec.timestamp, lines))
            if None in stamps:  # lines without a timestamp take the previous event's
                last = self._last_timestamp if self._last_timestamp is not None else int(self._now() * 1000)
                for index, stamp in enumerate(stamps):
                    last = stamps[index] = last if stamp is None else stamp
            self._last_timestamp = stamps[-1]
        ends = list(accumulate(map(_PLUS_ONE, lengths), initial=position))
        del ends[0]
        self._take_events(stamps, lines, lengths, ends, out)
        return True

    def _event_lengths(self, texts):
        """The lengths of these ASCII texts if each starts an event by the default
        multi_line_start_pattern (none blank or indented: the least of them sorts at or after "!")
        and fits in one; else None."""
        spec = self._spec
        if not texts or spec.starts_event is not _starts_with_non_space or min(texts) < "!":
            return None
        lengths = list(map(len, texts))
        return lengths if max(lengths) <= spec.max_message_bytes else None

    def _take_events(self, stamps, texts, lengths, ends, out):
        """Texts that each start an event: the pending one and all but the last go out; the last
        waits, as continuation lines may follow."""
        self._emit(out)
        events = list(zip(stamps, texts, lengths, ends))
        self._timestamp, message, self._size, self._end = events.pop()
        self._lines = [message]
        out += events

    def _add_ascii(self, lines, position, out):
        """The common case, inlined: ASCII lines (a character is a byte) that each start an event.
        The pending event is kept in locals through the loop (stored back before any other path)."""
        spec = self._spec
        limit, starts, parse, now = spec.max_message_bytes, spec.starts_event, spec.timestamp, self._now
        default_starts = starts is _starts_with_non_space
        known = self._known_timestamp
        append = out.append
        pending, timestamp, size, end, last = self._lines, self._timestamp, self._size, self._end, self._last_timestamp
        for text in lines:
            start = position
            position += len(text) + 1
            if text[-1:] == "\r":
                text = text[:-1]
            length = len(text)
            if not length or length > limit or not (not text[0].isspace() if default_starts else starts(text)):
                self._lines, self._timestamp, self._size, self._end, self._last_timestamp = \
                    pending, timestamp, size, end, last
                self._add_text(text, length, start, position, out)
                pending, timestamp, size, end, last = \
                    self._lines, self._timestamp, self._size, self._end, self._last_timestamp
                continue
            if pending:
                if len(pending) == 1 and pending[0]:
                    append((timestamp, pending[0], size, end))
                else:
                    self._lines, self._timestamp, self._size, self._end = pending, timestamp, size, end
                    self._emit(out)
            if known is not None:
                timestamp = known
            elif parse is None:
                timestamp = int(now() * 1000)
            else:  # as _timestamp_of
                timestamp = parse(text)
                if timestamp is None:
                    timestamp = last if last is not None else int(now() * 1000)
                last = timestamp
            pending, size, end = [text], length, position
        self._lines, self._timestamp, self._size, self._end, self._last_timestamp = pending, timestamp, size, end, last
        return position

    def flush_idle(self):
        """The pending event (and a last line without newline) once nothing came for a second."""
        if not self.has_pending or self._clock() - self._last_data < IDLE_FLUSH_S:
            return []
        return self.finish()

    def finish(self):
        """Everything pending, as at the end of the input."""
        out = []
        self._finish_partial(out)
        self._emit(out)
        return out

    def _finish_partial(self, out):
        """A last line without its newline, taken as a line."""
        if self._partial:
            start = self._partial_start
            self._partial_start += len(self._partial)
            raw, self._partial = self._partial, b""
            self._add_line(raw, start, self._partial_start, out)

    def flush_complete(self):
        """The pending event, made of complete lines; a partial last line stays pending."""
        out = []
        self._emit(out)
        return out

    def add_lines(self, lines, out):
        """Lines whose time is known, [(text, timestamp, start, end)]: add_line for each, with
        the common case (ASCII, under the limit, each starting an event) list-wise, else inlined
        as in _add_ascii."""
        self._last_data = self._clock()
        texts = list(map(_TEXT, lines))
        lengths = self._event_lengths(texts) if all(map(str.isascii, texts)) else None
        if lengths is not None:
            self._take_events(map(_TIME, lines), texts, lengths, map(_END, lines), out)
            return
        limit = self._spec.max_message_bytes
        starts = self._spec.starts_event
        default_starts = starts is _starts_with_non_space
        for text, timestamp, start, end in lines:
            size = len(text)
            if (not size or size > limit or not text.isascii()
                    or not (not text[0].isspace() if default_starts else starts(text))):
                self.add_line(text, utf8_size(text), timestamp, start, end, out)
                continue
            if self._lines:
                self._emit(out)
            self._timestamp, self._lines, self._size, self._end = timestamp, [text], size, end

    def add_line(self, text, size, timestamp, start, end, out):
        """A line whose time is known (a container log record's), grouped as a file's lines are."""
        self._last_data = self._clock()
        self._known_timestamp = timestamp
        self._add_text(text, size, start, end, out)

    def _add_line(self, raw, start, end, out):
        text = raw.decode(self._spec.encoding, "replace")
        if text.endswith("\r"):
            text = text[:-1]
        self._add_text(text, utf8_size(text), start, end, out)

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
            *parts, text = _split_utf8(text, self._spec.max_message_bytes)
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


def _split_utf8(text, limit):
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
