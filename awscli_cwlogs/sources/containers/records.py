"""Container log records as events: Docker's json-file lines and the CRI format of Kubernetes
nodes, read from files the file tailer follows (so rotation and positions are the files').

A RecordReader takes the place of the file tailer's EventReader: bytes in, events out, with
the same interface (feed, flush_idle, finish, flush_complete). It joins the partial records a
runtime splits long lines into (Docker: a ``log`` without its final newline; CRI: tag ``P``),
keeps the record's time as the event's, and hands whole lines to an EventReader for
multi-line grouping. A position is the byte offset after a record, as for lines.
"""
import calendar
import json
import logging
import time

from awscli_cwlogs.lines.events import EventReader
from awscli_cwlogs.lines.grouping import utf8_size

LOG = logging.getLogger("awscli_cwlogs")


_SECONDS = {}  # "YYYY-MM-DDTHH:MM:SS" + zone -> seconds since the epoch


def docker_time_ms(text):
    """rfc3339_ms, quicker for the time Docker writes (2026-11-30T10:40:00.123456789Z)."""
    seconds = _SECONDS.get(text[:19] + "Z") if len(text) == 30 and text[29] == "Z" and text[19] == "." else None
    return seconds * 1000 + int(text[20:23]) if seconds is not None else rfc3339_ms(text)


def rfc3339_ms(text, _seconds=_SECONDS):
    """Milliseconds since the epoch of an RFC 3339 time with up to nanoseconds
    (2026-11-30T10:00:00.123456789Z or ...+02:00); None if it is not one."""
    try:
        head, rest = text[:19], text[19:]
        if rest[:1] == ".":
            digits = len(rest) - len(rest[1:].lstrip("0123456789"))
            fraction, zone = rest[1:digits], rest[digits:]
        else:
            fraction, zone = "", rest
        key = head + zone
        seconds = _seconds.get(key)
        if seconds is None:
            if head[4] != "-" or head[10] not in "Tt ":
                return None
            seconds = calendar.timegm(time.strptime(head, "%Y-%m-%dT%H:%M:%S" if head[10] != " " else "%Y-%m-%d %H:%M:%S"))
            if zone not in ("Z", "z"):
                sign = {"+": -1, "-": 1}[zone[0]]
                seconds += sign * (int(zone[1:3]) * 3600 + int(zone[4:6]) * 60)
            if len(_seconds) > 100_000:
                _seconds.clear()
            _seconds[key] = seconds
        return seconds * 1000 + (int(fraction[:3].ljust(3, "0")) if fraction else 0)
    except (ValueError, KeyError, IndexError, OverflowError):
        return None


def docker_record(line):
    """(text, stream, time_ms, partial) of a json-file line; None if it is not such a record."""
    try:
        record = json.loads(line)
        text, stream = record["log"], record["stream"]
        timestamp = rfc3339_ms(record["time"])
    except (ValueError, KeyError, TypeError):
        return None
    if timestamp is None or not isinstance(text, str) or not isinstance(stream, str):
        return None
    partial = not text.endswith("\n")
    return (text if partial else text[:-2] if text.endswith("\r\n") else text[:-1]), stream, timestamp, partial


def cri_record(line):
    """(text, stream, time_ms, partial) of a CRI line (``<time> <stream> <P|F> <text>``); None if
    it is not one."""
    if isinstance(line, bytes):
        line = line.decode("utf-8", "replace")
    parts = line.split(" ", 3)
    if len(parts) < 3 or parts[2] not in ("P", "F"):
        return None
    timestamp = rfc3339_ms(parts[0])
    if timestamp is None:
        return None
    return (parts[3] if len(parts) > 3 else ""), parts[1], timestamp, parts[2] == "P"


FORMATS = {"docker": docker_record, "cri": cri_record}


class RecordReader(EventReader):
    """Records -> events for one file, from ``offset``; ``streams``: the streams to ship
    (stdout, stderr). Malformed records are sent as they are, with the previous record's time,
    and counted in ``malformed``. The grouping of lines into events is EventReader's."""

    def __init__(self, spec, offset, record_format, streams=("stdout", "stderr"), clock=time.monotonic,
                 now=time.time):
        super().__init__(spec, offset, clock, now)
        self._parse = FORMATS[record_format]
        self._format = record_format
        self._streams = frozenset(streams)
        self._joined = {}  # stream -> (texts of its partial records, offset where the first began, time)
        self._last_time = None
        self.malformed = 0

    @property
    def has_pending(self):
        return bool(self._joined) or super().has_pending

    def feed(self, data):
        out = []
        complete = self._complete_lines(data)
        lines = complete.split(b"\n")
        lines.pop()
        if self._format == "docker" and lines:
            self._add_docker(lines, self._partial_start, out)
            self._partial_start += len(complete)
            return out
        position = self._partial_start
        for raw in lines:
            start, position = position, position + len(raw) + 1
            self._add_line(raw, start, position, out)
        self._partial_start = position
        return out

    def _add_docker(self, lines, position, out):
        """The common case, in one pass: json-file records decoded by one call, whole lines of
        the selected streams handed on together; anything else goes the way of ``_add_line``."""
        try:
            records = json.loads(b"[" + b",".join(lines) + b"]")
        except ValueError:
            records = None
        if records is None or len(records) != len(lines):  # a broken line: each one on its own
            records = [None] * len(lines)
        whole, streams = [], self._streams
        for raw, record in zip(lines, records):
            start, position = position, position + len(raw) + 1
            try:
                text, stream, timestamp = record["log"], record["stream"], docker_time_ms(record["time"])
                if stream not in streams:
                    continue
                if text[-1:] == "\n" and timestamp is not None and not self._joined:
                    whole.append((text[:-2] if text[-2:] == "\r\n" else text[:-1], timestamp, start, position))
                    self._last_time = timestamp
                    continue
            except (KeyError, TypeError, IndexError):
                pass
            if whole:
                self.add_lines(whole, out)
                whole = []
            self._add_line(raw, start, position, out)
        if whole:
            self.add_lines(whole, out)

    def _add_line(self, raw, start, end, out):
        """One record (also the last one, without its newline, at the end of the input)."""
        record = self._parse(raw)
        if record is None:
            self.malformed += 1
            if str(self.malformed).strip("0") == "1":  # the 1st, 10th, 100th, ...: counted, not flooded
                LOG.warning("a container log line that is not a %s record, at byte %d: sent as it is with the "
                            "previous record's time (%d such lines in this file so far)", self._format, start,
                            self.malformed)
            text = raw.decode("utf-8", "replace").rstrip("\r")
            stream, partial = None, False
            timestamp = self._last_time if self._last_time is not None else int(self._now() * 1000)
        else:
            text, stream, timestamp, partial = record
            self._last_time = timestamp
        if stream is not None and stream not in self._streams:
            return
        joined = self._joined.get(stream)
        if partial:
            if joined is None:
                self._joined[stream] = ([text], start, timestamp)
            else:
                joined[0].append(text)
            return
        if joined is not None:
            del self._joined[stream]
            text, start, timestamp = "".join(joined[0]) + text, joined[1], joined[2]
        if self._joined:  # the other stream's long line is still arriving: a restart must read it again
            end = min(end, min(pending[1] for pending in self._joined.values()))
        self.add_line(text, utf8_size(text), timestamp, start, end, out)

    def finish(self):
        """Everything pending, as at the end of the input: partial records as they are."""
        out = []
        self._finish_partial(out)
        for stream in list(self._joined):
            texts, start, timestamp = self._joined.pop(stream)
            text = "".join(texts)
            self.add_line(text, utf8_size(text), timestamp, start, self._partial_start, out)
        self._emit(out)
        return out
