"""What the file tailer does when its live file is rotated or truncated under it: read the files
renamed away between two polls, and after a copy-and-truncate the rest of the copy (plain or
already compressed)."""
import logging
import os
import stat

from awscli_cwlogs.sources.tail.compressed import find_compressed_copy, nothing_left
from awscli_cwlogs.sources.tail.listing import sibling_paths
from awscli_cwlogs.sources.tail.tracked import read_head

LOG = logging.getLogger("awscli_cwlogs")


class RotationFollower:
    """For one tailer's FileSet: ``saved``, the positions the state file had at start."""

    def __init__(self, files, fingerprint_lines, saved):
        self._files, self._fingerprint_lines, self._saved = files, fingerprint_lines, saved
        self._section = files.section

    def adopt_missed(self, live_path, live_seen_at):
        """Files renamed away from the live path between two polls were never seen there: read them
        whole. Except one the state file knew at start: the run before this one read it (and it
        was renamed shortly before this one started), so it goes on from where that run got to.
        ``live_seen_at``: when the live path last showed the file followed as live (wall clock)."""
        since = live_seen_at - 1.0
        for path in sibling_paths(live_path):
            try:
                info = os.stat(path)
            except OSError:
                continue
            if (info.st_ino in self._files.files or info.st_ino in self._files.finished or info.st_ctime < since
                    or not stat.S_ISREG(info.st_mode)):
                continue
            tracked, _ = self._files.open_listed(path, info.st_ino, urgent=True)
            if tracked is None:
                continue
            tracked.rotated = True
            tracked.file_name = os.path.basename(live_path)
            self._files.add(tracked)
            tracked.fingerprint, tracked.head = read_head(tracked.fd, self._fingerprint_lines)
            saved = self._saved.get(tracked.key) if tracked.fingerprint is not None else None
            if saved is not None and saved.offset <= info.st_size:
                LOG.info("[%s] finishing %s from offset %d (rotated while the agent was stopped)",
                         self._section, path, saved.offset)
                self._files.begin(tracked, saved.offset)
            else:
                LOG.info("[%s] %s was rotated before a poll saw it; reading it", self._section, path)

    def finish_copy(self, truncated):
        """After a copy-and-truncate, reads the rest of the copy from where we were in the original."""
        offset = truncated.offset
        for path in sibling_paths(truncated.path):
            try:
                info = os.stat(path)
            except OSError:
                continue
            if info.st_ino in self._files.files or info.st_size < offset or not stat.S_ISREG(info.st_mode):
                continue
            copy = self._files.open(path, urgent=True)
            if copy is None:
                continue
            tail = truncated.tail
            if (os.pread(copy.fd, len(truncated.head), 0) == truncated.head
                    and os.pread(copy.fd, len(tail), offset - len(tail)) == tail):
                copy.fingerprint, copy.head, copy.rotated = truncated.fingerprint, truncated.head, True
                copy.file_name = truncated.file_name
                self._files.add(copy)
                self._files.begin(copy, offset)
                LOG.info("[%s] reading the rest of %s from its copy %s at offset %d",
                         self._section, truncated.path, path, offset)
                return
            copy.close()
        self._finish_compressed_copy(truncated)

    def _finish_compressed_copy(self, truncated):
        """The copy may already be compressed (copytruncate with compress)."""
        offset = truncated.offset
        found = find_compressed_copy(sibling_paths(truncated.path, compressed=True), truncated.head,
                                     truncated.tail, offset)
        if found is not None:
            path, inode = found
            self._files.add_copy(path, (truncated.fingerprint, inode), offset, truncated.file_name)
            LOG.info("[%s] reading the rest of %s from its compressed copy %s at offset %d",
                     self._section, truncated.path, path, offset)

    def finish_rotated(self, info, offset, file_name):
        """A file rotated while the agent was stopped (a FileInfo of rotation.plan_start), read on
        from its saved ``offset``; ``file_name``: the live file's, for {file_name}."""
        tracked, _ = self._files.open_listed(info.path, info.inode, urgent=True)
        if tracked is None:
            return
        tracked.fingerprint, tracked.head = read_head(tracked.fd, self._fingerprint_lines)
        tracked.rotated = True
        tracked.file_name = file_name
        LOG.info("[%s] finishing %s from offset %d (rotated while the agent was stopped)",
                 self._section, info.path, offset)
        self._files.add(tracked)
        self._files.begin(tracked, offset)

    def finish_compressed(self, info, offset, file_name):
        """The same, for a file that was also compressed: read from the decompressed ``offset``."""
        if nothing_left(info.path, offset):
            return
        LOG.info("[%s] finishing %s from decompressed offset %d (it was rotated and compressed)",
                 self._section, info.path, offset)
        self._files.add_copy(info.path, info.key, offset, file_name)
