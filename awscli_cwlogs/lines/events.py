"""Bytes of one source -> log events: decode, split lines, join multi-line events, timestamp.

An event is a tuple ``(timestamp_ms, message, utf8_size, end_offset)``; ``end_offset`` is the
source offset just past the event's last byte, which is what the state file records once
the service has accepted the event.
"""
import re
import time
from dataclasses import dataclass, field, fields
from typing import Callable, Optional

from awscli_cwlogs.limits import EVENT_OVERHEAD, MAX_MESSAGE_BYTES
from awscli_cwlogs.lines.fastpaths import FastGrouping
from awscli_cwlogs.lines.grouping import starts_with_non_space, utf8_size
from awscli_cwlogs.lines.instants import timestamp_format

DEFAULT_MULTI_LINE_START = r"^[^\s]"  # a line that does not start with white space starts an event
DATETIME_FORMAT_PATTERN = "{datetime_format}"  # multi_line_start_pattern's value: a line with a timestamp

IDLE_FLUSH_S = 1.0


@dataclass(frozen=True)
class LineFormat:
    """How a source's lines become events: the keys of the kinds that read lines (the file kind,
    stdin mode; docker and cri take multi_line_start_pattern only)."""
    datetime_format: str = None
    time_zone: str = "LOCAL"
    encoding: str = "utf_8"
    multi_line_start_pattern: str = DEFAULT_MULTI_LINE_START
    timestamp_pattern: str = None  # where in a line the time is: its first group, else its match


LINE_FORMAT_KEYS = tuple(field.name for field in fields(LineFormat))


@dataclass(frozen=True)
class EventSpec:
    encoding: str
    starts_event: Callable[[str], bool]
    timestamp: Optional[Callable[[str], Optional[int]]]
    timestamps: Optional[Callable[[list], list]] = None  # timestamp() of each of a list of lines
    max_message_bytes: int = MAX_MESSAGE_BYTES
    ascii_compatible: bool = True  # ASCII bytes decode to the same characters
    counts: dict = field(default_factory=dict, compare=False)  # "split": lines over the size limit, sent as parts


def event_limit(batch_size):
    """The most UTF-8 bytes an event's message may have: the service's limit, or less so that it
    fits in a batch of ``batch_size``."""
    return min(MAX_MESSAGE_BYTES, batch_size - EVENT_OVERHEAD)


def event_spec(lines, batch_size, record=None, now=time.time):
    """How lines become events, from a LineFormat and the section's batch_size (an event fits in
    a batch of that size). ``record``: the section's RecordFormat; a JSON line's time is its
    field's, read later (shaping.py), and where masks may shorten a line, lines are cut at twice
    the limit here, and to the limit once masked."""
    is_json = record is not None and record.is_json
    timed = lines.datetime_format and not is_json
    timestamps = timestamp_format(lines.datetime_format, lines.time_zone, now, lines.timestamp_pattern) \
        if timed else None
    pattern = lines.multi_line_start_pattern
    if pattern == DEFAULT_MULTI_LINE_START:
        starts_event = starts_with_non_space
    elif pattern == DATETIME_FORMAT_PATTERN:
        starts_event = timestamps.starts
    else:
        search = re.compile(pattern).search
        starts_event = lambda line: search(line) is not None  # noqa: E731
    return EventSpec(
        encoding=lines.encoding,
        starts_event=starts_event,
        timestamp=timestamps.parse if timestamps else None,
        timestamps=timestamps.parse_lines if timestamps else None,
        max_message_bytes=event_limit(batch_size) * (2 if record is not None and record.masks else 1),
        ascii_compatible=_ascii_compatible(lines.encoding),
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


class EventReader(FastGrouping):
    """Turns the bytes of one source, fed in order from ``offset``, into events: complete lines,
    decoded, grouped into events (grouping.py; the common cases list-wise, fastpaths.py)."""

    def __init__(self, spec, offset=0, clock=time.monotonic, now=time.time):
        super().__init__(spec, offset, clock, now)
        self._partial = b""
        self._partial_start = offset  # offset of the first byte not yet in a complete line

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

    def _add_line(self, raw, start, end, out):
        text = raw.decode(self._spec.encoding, "replace")
        if text.endswith("\r"):
            text = text[:-1]
        self._add_text(text, utf8_size(text), start, end, out)
