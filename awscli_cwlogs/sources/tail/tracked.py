"""A file being read: its descriptor, position and reader, and the fingerprint of its first
lines, which with its inode is what the state file knows it by. Its descriptor comes from the
agent's budget (openfiles.py) and may be closed while the file has nothing new ("parked")."""
import os
import time

from awscli_cwlogs.sources.tail import openfiles
from awscli_cwlogs.sources.tail.compressed import FINGERPRINT_LIMIT, head_fingerprint
from awscli_cwlogs.sources.tail.listing import find_inode, sibling_paths
from awscli_cwlogs.sources.tail.rotation import FileInfo

IDLE, OPENED, WAITING, GONE = "idle", "opened", "waiting", "gone"  # what reopen found


def read_head(fd, lines):
    """(fingerprint, head bytes) of the open file, or (None, b"") until its lines are complete."""
    return head_fingerprint(os.pread(fd, FINGERPRINT_LIMIT, 0), lines)


def fingerprint_of(path, lines):
    """The fingerprint of the file at ``path`` (None if it cannot be opened or is too short yet)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        return read_head(fd, lines)[0]
    finally:
        os.close(fd)


class TrackedFile:
    """One file being read; ``key`` is what the state file knows it by. ``fd`` is None while parked."""

    def __init__(self, path, fd, info):
        self.path = path
        self.file_name = os.path.basename(path)  # for {file_name}: a rotated file keeps its live name
        self.fd = fd
        self.parked_as = None  # (size read up to, mtime_ns) when parked: a change reopens it
        self.inode = info.st_ino
        self.fingerprint = None
        self.head = b""
        self.offset = 0
        self.began_at = 0  # the offset reading began at (what is accepted, before the state file knows it)
        self.reader = None
        self.tail = b""
        self.last_size = -1
        self.rotated = False
        self.last_growth = time.monotonic()

    @property
    def key(self):
        return (self.fingerprint, self.inode)

    def info(self, size):
        return FileInfo(self.path, self.inode, size, 0.0, self.fingerprint)

    def state_row(self, offset):
        return self.path, offset

    def parkable(self):
        """Read to its end (so losing it while closed loses nothing) and its writer's file."""
        return self.fd is not None and self.reader is not None and not self.rotated and self.offset >= self.last_size

    def park(self):
        # the size as last read, not as now: what was appended since must reopen it
        self.parked_as = (self.last_size, os.fstat(self.fd).st_mtime_ns)
        self.close()

    def reopen(self, section):
        """For a parked file: IDLE (unchanged), OPENED (it changed: open again, under its rotated
        name if it was renamed meanwhile), WAITING (no descriptor now) or GONE (removed)."""
        path = self.path
        try:
            info = os.stat(path)
        except OSError:
            info = None
        if info is not None and info.st_ino == self.inode:
            if (info.st_size, info.st_mtime_ns) == self.parked_as:
                return IDLE
        else:
            path = find_inode(sibling_paths(self.path), self.inode)
            if path is None:
                return GONE
        try:
            fd = openfiles.FILES.open(path, section)
        except OSError:  # made unreadable meanwhile: it keeps its place, and is tried again
            return IDLE
        if fd is None:
            return WAITING
        if os.fstat(fd).st_ino != self.inode:  # renamed again between the stat and the open
            os.close(fd)
            return IDLE
        self.fd, self.path, self.parked_as = fd, path, None
        openfiles.FILES.held(self)
        return OPENED

    def close(self):
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
            openfiles.FILES.released(self)
