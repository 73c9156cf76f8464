"""The files one tailer follows: opened by identity (a file listed under a name, not whatever has
that name by the time it is opened), read from an offset, and forgotten once drained; and the
compressed copies it reads once."""
import errno
import logging
import os

from awscli_cwlogs.sources.tail import openfiles
from awscli_cwlogs.sources.tail.compressed import CompressedCopy
from awscli_cwlogs.sources.tail.tracked import TrackedFile

LOG = logging.getLogger("awscli_cwlogs")
TAIL_BYTES = 512  # bytes before our offset re-read to tell a rewritten file from a grown one (a whole line, usually)
FINISHED_KEPT = 10_000  # inodes of files read to their end that are remembered (not taken again as new)


class FileSet:
    """``files``: inode -> TrackedFile; ``copies``: CompressedCopy, each read once to its end;
    ``finished``: inodes of files read to their end, oldest first. ``make_reader(spec, offset)``
    turns a file's bytes into events; ``name_values``, if given, are the name placeholders' values
    of every file (a container's name, ...)."""

    def __init__(self, section, spec, make_reader, name_values, clock):
        self.section = section
        self._spec, self._make_reader, self._name_values, self._clock = spec, make_reader, name_values, clock
        self.files = {}
        self.copies = []
        self.finished = {}
        self._warned = set()

    def open(self, path, urgent=False):
        """A TrackedFile for ``path``, or None (unreadable: warned once; no descriptor now: waiting).
        ``urgent`` (a rotated file, that may be deleted soon) may go past the cap into the reserve."""
        try:
            fd = openfiles.FILES.open(path, self.section, urgent)
        except OSError as error:
            self._warn_once(path, error)
            return None
        if fd is None:
            return None
        self._warned.discard(path)
        tracked = self.named(TrackedFile(path, fd, os.fstat(fd)))
        openfiles.FILES.held(tracked)
        return tracked

    def open_listed(self, path, inode, urgent=False):
        """(TrackedFile or None, replaced): the file listed at ``path`` with ``inode``. ``replaced``
        when another file took the name between the listing and the open (it is closed again)."""
        tracked = self.open(path, urgent)
        if tracked is not None and tracked.inode != inode:
            tracked.close()
            return None, True
        return tracked, False

    def named(self, origin):
        if self._name_values is not None:
            origin.name_values = self._name_values
        return origin

    def add(self, tracked):
        self.files[tracked.inode] = tracked

    def begin(self, tracked, offset):
        """Reads ``tracked`` from ``offset`` on."""
        tracked.offset = tracked.began_at = offset
        tracked.tail = os.pread(tracked.fd, min(TAIL_BYTES, offset), offset - min(TAIL_BYTES, offset))
        tracked.reader = self._make_reader(self._spec, offset)

    def add_copy(self, path, key, offset, file_name):
        """A compressed file, read once from the decompressed ``offset`` to its end."""
        reader = self._make_reader(self._spec, offset)
        self.copies.append(self.named(CompressedCopy(path, key, offset, file_name, reader, self.section, self._clock)))

    def forget(self, tracked):
        """A file read to its end: closed, and remembered as finished."""
        tracked.close()
        del self.files[tracked.inode]
        self.finished[tracked.inode] = True
        if len(self.finished) > FINISHED_KEPT:
            del self.finished[next(iter(self.finished))]

    def read_copies(self, budget):
        """([(key, CompressedCopy, events)], more waiting): a round of every compressed copy."""
        found, more = [], False
        for copy in list(self.copies):
            before = copy.offset
            events = copy.read(budget)
            if events:
                found.append((copy.key, copy, events))
            if copy.done:
                self.copies.remove(copy)
            elif copy.offset > before:
                more = True
        return found, more

    def flush_complete(self):
        """[(key, file, events)]: each file's last event, which waits for the next line to know it
        is complete (a partial line stays)."""
        found = []
        for tracked in self.all():
            events = tracked.reader.flush_complete() if tracked.reader is not None else []
            if events:
                found.append((tracked.key, tracked, events))
        return found

    def bytes_behind(self, positions):
        """Bytes of the files being read that are not accepted: each one's size as last seen less
        its offset in ``positions``, else where reading began."""
        total = 0
        for tracked in self.files.values():
            if tracked.reader is not None:
                saved = positions.get(tracked.key)
                total += max(tracked.last_size - (saved.offset if saved is not None else tracked.began_at), 0)
        return total

    def all(self):
        return [*self.copies, *self.files.values()]

    def close(self):
        for tracked in self.all():
            tracked.close()
        self.files.clear()
        self.copies.clear()

    def _warn_once(self, path, error):
        if path not in self._warned:
            self._warned.add(path)
            reason = "permission denied" if error.errno == errno.EACCES else error.strerror
            LOG.warning("[%s] cannot read %s: %s; will retry", self.section, path, reason)
