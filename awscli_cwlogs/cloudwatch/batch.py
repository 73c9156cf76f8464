"""Groups a stream's events into PutLogEvents batches that AWS accepts.

A batch holds at most ``max_count`` events and ``max_bytes`` counted as UTF-8 message bytes +
26 per event, spans at most 24 hours, and is sorted by timestamp (stable). It is ready when
full or ``buffer_ms`` after its first event. Its whole request body is encoded once, here
(and gzipped, if configured), so a queued batch costs its wire size in memory.
"""
import gzip
import json
import operator
import time
from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import accumulate

from awscli_cwlogs.limits import EVENT_OVERHEAD, MAX_SPAN_MS

_encode_string = json.encoder.encode_basestring  # the C encoder: '"..."' with escapes


@dataclass
class Batch:
    body: bytes  # the PutLogEvents request body, gzip-compressed when ``compressed``
    compressed: bool
    count: int
    size: int  # bytes as AWS counts them
    checkpoints: dict = field(default_factory=dict)  # source key -> (source, end offset)
    filtered: int = 0  # events left out by include/exclude patterns; their offsets are in checkpoints
    destination: tuple = None  # (log group, log stream)
    forget: tuple = ()  # folders whose files' positions are dropped once this batch is done (containers gone)
    noted: dict = field(default_factory=dict)  # counts of its events' shaping (not_json, masked), kept when accepted

    def events(self):
        """The events as (timestamp, message) pairs, decoded again (for the rare paths)."""
        if not self.count:
            return []
        body = gzip.decompress(self.body) if self.compressed else self.body
        return [(e["timestamp"], e["message"]) for e in json.loads(body)["logEvents"]]


class BodyFormat:
    """Encodes a stream's PutLogEvents request bodies."""

    def __init__(self, group, stream, use_gzip):
        self.compressed = use_gzip
        self.destination = (group, stream)
        self._prefix = json.dumps({"logGroupName": group, "logStreamName": stream})[:-1] + ',"logEvents":['

    def encode(self, events):
        """The request body for events (one or more), (timestamp, message, ...) tuples sorted by timestamp already."""
        if _need_escapes(events):  # an f-string in a list is twice as fast as %-format in a generator
            parts = [f'{{"timestamp":{event[0]},"message":{_encode_string(event[1])}}}' for event in events]
        else:  # JSON as the escaping would make it, at a third of the cost
            parts = [f'{{"timestamp":{event[0]},"message":"{event[1]}"}}' for event in events]
        parts[0] = self._prefix + parts[0]
        parts[-1] += "]}"
        body = ",".join(parts).encode("utf-8")
        return gzip.compress(body, compresslevel=1) if self.compressed else body


def make_batch(events, checkpoints, body_format, filtered=0, size=None, noted=None):
    """A Batch from (timestamp, message, size, end_offset) events; with none, it only carries offsets.
    ``size``: their bytes as AWS counts them, if known already."""
    events.sort(key=_timestamp)  # stable: lines with equal timestamps keep their order
    return Batch(
        body=body_format.encode(events) if events else b"",
        compressed=body_format.compressed,
        count=len(events),
        size=sum(map(_size, events)) + EVENT_OVERHEAD * len(events) if size is None else size,
        checkpoints=checkpoints,
        filtered=filtered,
        destination=body_format.destination,
        noted=noted or {},
    )


def _need_escapes(events):
    """Whether a message holds a character JSON escapes: a quote, a backslash or a control
    character (which the UTF-8 bytes show, as no other character encodes to a byte under 0x20).
    Checked for all at once, as most logs have none; a log of JSON lines stops at the first."""
    if '"' in events[0][1]:
        return True
    messages = "".join(map(_message, events))
    if '"' in messages or "\\" in messages:
        return True
    data = messages.encode("utf-8", "surrogatepass")
    return len(data.translate(None, _JSON_ESCAPED_BYTES)) != len(data)


_JSON_ESCAPED_BYTES = bytes(range(0x20))
_timestamp, _message, _size = operator.itemgetter(0), operator.itemgetter(1), operator.itemgetter(2)
_FIRST, _SECOND = operator.itemgetter(0), operator.itemgetter(1)
_PLUS_OVERHEAD = EVENT_OVERHEAD.__add__


class Batcher:
    def __init__(self, max_count, max_bytes, buffer_ms, body_format, clock=time.monotonic):
        self._body_format = body_format
        self._marked = False  # some events carry counts (a fifth item, shaping.py): once so, looked for in each batch
        self._max_count = max_count
        self._max_bytes = max_bytes
        self._buffer_s = buffer_ms / 1000.0
        self._clock = clock
        self._reset()

    def _reset(self):
        self._events = []
        self._bytes = 0
        self._low = self._high = None
        self._checkpoints = {}
        self._started = None
        self._filtered = 0

    def __len__(self):
        return len(self._events)

    @property
    def empty(self):
        """Nothing to send: no event and no offset of a left-out one."""
        return self._started is None

    def add(self, events, source_key, source, marked=False):
        """Adds one source's events in order; returns the batches they filled. List-wise: the
        count and byte limits cut where bisect finds them on the running sizes; a run that
        would span over 24 hours goes event by event. ``marked``: some events carry counts."""
        self._marked = self._marked or marked
        full = []
        cumulative = list(accumulate(map(_PLUS_OVERHEAD, map(_size, events)), initial=0))  # bytes of events[:k]
        start, end = 0, len(events)
        while start < end:
            batch = self._events
            stop = min(end, start + self._max_count - len(batch),
                       bisect_right(cumulative, cumulative[start] + self._max_bytes - self._bytes, start) - 1)
            run = events[start:stop]
            if not run and not batch:  # an event over the byte limit (events are cut to fit): never spin here
                return full + self._add_each(events[start:], source_key, source)
            if run:
                low, high = min(map(_timestamp, run)), max(map(_timestamp, run))
                if batch:
                    low, high = min(low, self._low), max(high, self._high)
                if high - low > MAX_SPAN_MS:
                    return full + self._add_each(events[start:], source_key, source)
                if not batch:
                    self._started = self._clock()
                batch += run
                self._bytes += cumulative[stop] - cumulative[start]
                self._low, self._high = low, high
                self._checkpoints[source_key] = (source, run[-1][3])
            start = stop
            if start < end:
                full.append(self._take())
        return full

    def _add_each(self, events, source_key, source):
        """add(), event by event: where the 24-hour span may cut a run."""
        full = []
        batch, total, low, high = self._events, self._bytes, self._low, self._high
        max_count, max_bytes = self._max_count, self._max_bytes
        mine = False  # the batch holds events of this call (else its last event is another source's)
        for event in events:
            timestamp, size = event[0], event[2] + EVENT_OVERHEAD
            if batch:
                if (len(batch) >= max_count or total + size > max_bytes
                        or timestamp - low > MAX_SPAN_MS or high - timestamp > MAX_SPAN_MS):
                    self._bytes = total
                    if mine:
                        self._checkpoints[source_key] = (source, batch[-1][3])
                    full.append(self._take())
                    batch = self._events
                elif timestamp < low:
                    low = timestamp
                elif timestamp > high:
                    high = timestamp
            if not batch:
                self._started = self._clock()
                total, low, high = 0, timestamp, timestamp
            batch.append(event)
            mine = True
            total += size
        if events:
            self._checkpoints[source_key] = (source, batch[-1][3])
        self._bytes, self._low, self._high = total, low, high
        return full

    def skip(self, count, source_key, source, offset):
        """Records events left out up to ``offset``: their offsets are saved with the next batch."""
        if self._started is None:
            self._started = self._clock()
        self._filtered += count
        self._checkpoints[source_key] = (source, offset)

    def due(self):
        """The batch, if its buffer duration has passed since its first event."""
        if self._started is not None and self._clock() - self._started >= self._buffer_s:
            return self._take()
        return None

    def drain(self):
        return self._take() if self._started is not None else None

    def _take(self):
        noted = _noted(self._events) if self._marked else None
        batch = make_batch(self._events, self._checkpoints, self._body_format, self._filtered, self._bytes, noted)
        self._reset()
        return batch


def _noted(events):
    """The counts the events carry (shaping.py's fifth item: lines not JSON, values masked), added up."""
    marks = list(filter(None, [event[4] for event in events if len(event) > 4]))
    not_json, masked = sum(map(_FIRST, marks)), sum(map(_SECOND, marks))
    noted = {"not_json": not_json} if not_json else {}
    if masked:
        noted["masked"] = masked
    return noted
