"""Exactly once when each record picks its destination ({json:service} in a section's names).

One file's events then go to many streams, each sent and accepted on its own. Each destination
saves its own position in the file (a row under the file's key and the destination's names);
the file's own row, where a restart reads from, is the watermark: the offset before which every
event was accepted, whatever its destination. A restart reads from there, and each destination
skips what its own row says it had accepted. Nothing is lost, nothing sent twice, and batches
stay full whatever the order of the services' lines.
"""
import threading

from awscli_cwlogs.kvstore import ROUTED


def routed_key(key, destination):
    """The key a destination's row for the file of ``key`` is saved under."""
    fingerprint, inode = key
    return (ROUTED.join((fingerprint, *destination)), inode)


def routed_offsets(rows):
    """{(file key, destination): offset} of the rows StateStore.positions(routed=True) gives."""
    offsets = {}
    for (fingerprint, inode), position in rows.items():
        base, group, stream = fingerprint.split(ROUTED, 2)
        offsets[((base, inode), (group, stream))] = position.offset
    return offsets


class RecordRoutes:
    """``saved``: {(file key, destination): offset} as the state file had them at start."""

    def __init__(self, saved):
        self._saved = dict(saved)
        self._lock = threading.Lock()
        self._pending = {}  # file key -> {destination: offset a restart must read from for it}
        self._last = {}  # (file key, destination) -> the end of its last event read
        self._latest = {}  # file key -> the end of its last event read, whatever its destination

    def unsent(self, key, destination, events):
        """The events a destination had not accepted before the restart (its row says up to where)."""
        done = self._saved.get((key, destination))
        if done is None:
            return events
        kept = [event for event in events if event[3] is None or event[3] > done]
        if len(kept) == len(events) or events[-1][3] is not None and events[-1][3] > done:
            del self._saved[(key, destination)]  # the file is read in order: the rest is new
        return kept

    def read(self, key, destination, start, end):
        """Events of ``destination`` read from ``key`` at offsets ``start`` (before its first) to ``end``."""
        with self._lock:
            self._pending.setdefault(key, {}).setdefault(destination, start)
            self._last[(key, destination)] = end
            self._latest[key] = max(end, self._latest.get(key, end))

    def passed(self, key, end):
        """Events read from ``key`` up to ``end`` that no destination waits for (left out by filters)."""
        with self._lock:
            self._latest[key] = max(end, self._latest.get(key, end))

    def accepted(self, key, destination, position):
        """The file's watermark once ``destination`` had its events accepted up to ``position``."""
        with self._lock:
            pending = self._pending.get(key, {})
            if destination in pending:
                if self._last.get((key, destination), -1) <= position:
                    del pending[destination]
                    self._last.pop((key, destination), None)
                else:
                    pending[destination] = position  # a restart there: the destination's row skips the rest
            if not pending:
                self._pending.pop(key, None)
            return min(pending.values()) if pending else self._latest.get(key, position)

    def origin(self, key, source, destination):
        """``source`` (the file of ``key``) as ``destination``'s batches record it (RoutedOrigin)."""
        return RoutedOrigin(key, source, destination, self)


class RoutedOrigin:
    """A file as one destination's batches record it: its own row under the destination's key,
    and the file's watermark under the file's key."""

    def __init__(self, key, source, destination, routes):
        self._key, self._source, self._destination, self._routes = key, source, destination, routes

    def state_row(self, position):
        return self._source.state_row(position)

    def accepted(self, position):
        watermark = self._routes.accepted(self._key, self._destination, position)
        return {self._key: self._source.state_row(watermark)} if watermark is not None else {}
