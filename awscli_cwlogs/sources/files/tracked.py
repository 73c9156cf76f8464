"""A file being read: its descriptor, position and reader, and the fingerprint of its first
lines, which with its inode is what the state file knows it by."""
import os
import time

from awscli_cwlogs.sources.files.compressed import FINGERPRINT_LIMIT, head_fingerprint
from awscli_cwlogs.sources.files.rotation import FileInfo


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
    """One open file being read; ``key`` is what the state file knows it by."""

    def __init__(self, path, fd, info):
        self.path = path
        self.file_name = os.path.basename(path)  # for {file_name}: a rotated file keeps its live name
        self.fd = fd
        self.inode = info.st_ino
        self.fingerprint = None
        self.head = b""
        self.offset = 0
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

    def close(self):
        os.close(self.fd)
