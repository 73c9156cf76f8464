"""Rotated files that exist only compressed. logrotate's ``compress`` (without
``delaycompress``) gzips a rotated file at once and deletes the plain copy, so lines the agent
had not read when it stopped, or when a copy-and-truncate happened, exist nowhere else. Such a
file is known by the fingerprint of its decompressed head and read once, in order, from an
offset of its decompressed bytes. It is never followed as a live file."""
import bz2
import gzip
import hashlib
import logging
import lzma
import os
import zlib

LOG = logging.getLogger("awscli_cwlogs")
FINGERPRINT_LIMIT = 65_536  # a first line longer than this: its first 64 KiB are the fingerprint
_OPENERS = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}
_ERRORS = (OSError, EOFError, zlib.error, lzma.LZMAError)
_SKIP_CHUNK = 1 << 20
RETRY_S = 1.0  # a copy that ends early (still being compressed) is opened again after this
GIVE_UP_S = 10.0  # ... until it has not changed for this long


def head_fingerprint(head, lines):
    """(fingerprint, the head's bytes up to the end of line ``last``) of a file's first bytes, or
    (None, b"") while its first lines are not complete."""
    first, last = lines
    parts = head.split(b"\n", last)
    if len(parts) > last:
        head = head[:sum(len(part) + 1 for part in parts[:last])]
        region = b"\n".join(parts[first - 1:last])
    elif len(head) >= FINGERPRINT_LIMIT:
        head = head[:FINGERPRINT_LIMIT]
        region = head
    else:
        return None, b""
    return hashlib.sha256(region).hexdigest()[:32], head


def is_readable_compressed(path):
    return os.path.splitext(path)[1].lower() in _OPENERS


def open_decompressed(path):
    return _OPENERS[os.path.splitext(path)[1].lower()](path, "rb")


def compressed_fingerprint(path, lines):
    """(fingerprint, head) of the decompressed content, or (None, b"") if it cannot be read (yet)."""
    try:
        with open_decompressed(path) as stream:
            return head_fingerprint(_read_up_to(stream, FINGERPRINT_LIMIT), lines)
    except _ERRORS:
        return None, b""


def decompressed_slice(path, start, end):
    """The decompressed bytes [start, end) (fewer if the content is shorter), or None on an error."""
    try:
        with open_decompressed(path) as stream:
            if _skip(stream, start) < start:
                return b""
            return _read_up_to(stream, end - start)
    except _ERRORS:
        return None


def size_hint(path):
    """A gzip file's decompressed size modulo 2**32 (its trailer), or None for other formats."""
    if not path.lower().endswith(".gz"):
        return None
    try:
        with open(path, "rb") as packed:
            packed.seek(-4, os.SEEK_END)
            return int.from_bytes(packed.read(4), "little")
    except OSError:
        return None


def bytes_left(path, offset):
    """Decompressed bytes past ``offset`` by the gzip trailer (exact below 4 GiB), or None if unknown."""
    hint = size_hint(path)
    return None if hint is None else (hint - offset) % (1 << 32)


def nothing_left(path, offset):
    """True when a gzip file is known to end at ``offset``, so a copy read to its end is not
    decompressed again at every start."""
    return offset > 0 and bytes_left(path, offset) == 0


def find_compressed_copy(paths, head, tail, offset):
    """(path, inode) of the newest of ``paths`` whose decompressed content starts with ``head``
    and holds ``tail`` just before ``offset``: the compressed copy of a copy-truncated file."""
    newest_first = []
    for path in paths:
        try:
            info = os.stat(path)
        except OSError:
            continue
        newest_first.append((info.st_mtime, path, info.st_ino))
    for _, path, inode in sorted(newest_first, reverse=True):
        if (decompressed_slice(path, 0, len(head)) == head
                and decompressed_slice(path, offset - len(tail), offset) == tail):
            return path, inode
    return None


def _read_up_to(stream, size):
    chunks, got = [], 0
    while got < size:
        chunk = stream.read(size - got)
        if not chunk:
            break
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def _skip(stream, count):
    skipped = 0
    while skipped < count:
        chunk = stream.read(min(_SKIP_CHUNK, count - skipped))
        if not chunk:
            break
        skipped += len(chunk)
    return skipped


class CompressedCopy:
    """A compressed rotated file read from ``offset`` of its decompressed content to its end.
    ``key`` is the state file's key its positions are saved under: the key of the file it was
    made from when it finishes that file, so a restart continues the same row."""

    rotated = True

    def __init__(self, path, key, offset, file_name, reader, section, clock):
        self.path = path
        self.key = key
        self.offset = offset
        self.file_name = file_name
        self.reader = reader
        self._section = section
        self._clock = clock
        self._stream = None
        self._retry_at = 0.0
        self._last_change = (clock(), None)  # (when, (size, mtime)) of the compressed file
        self.done = False

    def state_row(self, offset):
        return self.path, offset

    def read(self, budget):
        """Events from the next ``budget`` decompressed bytes; sets ``done`` at the end."""
        now = self._clock()
        if self.done or now < self._retry_at:
            return []
        try:
            if self._stream is None:
                self._stream = open_decompressed(self.path)
                if _skip(self._stream, self.offset) < self.offset:
                    return self._finish(f"it is shorter than the saved position {self.offset}")
            data = self._stream.read(budget)
        except _ERRORS as error:
            return self._retry_or_give_up(now, error)
        if not data:
            return self._finish(None)
        self.offset += len(data)
        return self.reader.feed(data)

    def _retry_or_give_up(self, now, error):
        """A copy that ends early may still be being written by the compressor: try again while
        it changes; give up (and say what was not read) once it has stopped changing."""
        self.close()
        try:
            info = os.stat(self.path)
            signature = (info.st_size, info.st_mtime)
        except OSError:
            signature = None
        if signature != self._last_change[1]:
            self._last_change = (now, signature)
        if signature is not None and now - self._last_change[0] < GIVE_UP_S:
            self._retry_at = now + RETRY_S
            return []
        return self._finish(f"it cannot be read past decompressed offset {self.offset} ({error}); "
                            "the rest of it is not sent")

    def _finish(self, problem):
        self.close()
        self.done = True
        if problem:
            LOG.warning("[%s] %s: %s", self._section, self.path, problem)
        else:
            LOG.info("[%s] done with compressed %s", self._section, self.path)
        return self.reader.finish()

    def close(self):
        if self._stream is not None:
            self._stream.close()
            self._stream = None
