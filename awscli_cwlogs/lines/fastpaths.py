"""The common cases of grouping lines into events, without a call per line: ASCII lines (a
character is a byte) that each start an event and fit in one. Each path gives exactly what
EventGrouper.add_text, the rule, gives for the same lines (tests/unit/test_events.py checks it);
a line it cannot take goes to add_text."""
import operator
from itertools import accumulate

from awscli_cwlogs.lines.grouping import EventGrouper, starts_with_non_space, utf8_size

_PLUS_ONE = (1).__add__  # a line's length with its newline
_TEXT, _TIME, _END = operator.itemgetter(0), operator.itemgetter(1), operator.itemgetter(3)  # of add_lines' lines


class FastGrouping(EventGrouper):
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
        if not texts or spec.starts_event is not starts_with_non_space or min(texts) < "!":
            return None
        lengths = list(map(len, texts))
        return lengths if max(lengths) <= spec.max_message_bytes else None

    def _add_ascii(self, lines, position, out):
        """The common case, inlined: ASCII lines (a character is a byte) that each start an event.
        The pending event is kept in locals through the loop (stored back before any other path)."""
        spec = self._spec
        limit, starts, parse, now = spec.max_message_bytes, spec.starts_event, spec.timestamp, self._now
        default_starts = starts is starts_with_non_space
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
        default_starts = starts is starts_with_non_space
        for text, timestamp, start, end in lines:
            size = len(text)
            if (not size or size > limit or not text.isascii()
                    or not (not text[0].isspace() if default_starts else starts(text))):
                self.add_line(text, utf8_size(text), timestamp, start, end, out)
                continue
            if self._lines:
                self._emit(out)
            self._timestamp, self._lines, self._size, self._end = timestamp, [text], size, end
