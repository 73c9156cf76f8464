"""What the file tailer does when its live file is rotated or truncated under it: read the files
renamed away between two polls, and after a copy-and-truncate the rest of the copy (plain or
already compressed). A part of FileTailer (its ``_files``, ``_open``, ``_begin`` ...), kept apart
because it is a concern of its own."""
import logging
import os
import stat

from awscli_cwlogs.sources.tail.compressed import CompressedCopy, find_compressed_copy
from awscli_cwlogs.sources.tail.listing import sibling_paths
from awscli_cwlogs.sources.tail.tracked import read_head

LOG = logging.getLogger("awscli_cwlogs")


class RotatedCopies:
    def _adopt_missed(self, live_path):
        """Files renamed away from the live path between two polls were never seen there: read them
        whole. Except one the state file knew at start: the run before this one read it (and it
        was renamed shortly before this one started), so it goes on from where that run got to."""
        since = self._live_seen_at - 1.0
        for path in sibling_paths(live_path):
            try:
                info = os.stat(path)
            except OSError:
                continue
            if (info.st_ino in self._files or info.st_ino in self._finished or info.st_ctime < since
                    or not stat.S_ISREG(info.st_mode)):
                continue
            tracked = self._open(path, urgent=True)
            if tracked is None or tracked.inode != info.st_ino:
                if tracked is not None:
                    tracked.close()
                continue
            tracked.rotated = True
            tracked.file_name = os.path.basename(live_path)
            self._files[tracked.inode] = tracked
            tracked.fingerprint, tracked.head = read_head(tracked.fd, self.stream.file_fingerprint_lines)
            saved = self._saved.get(tracked.key) if tracked.fingerprint is not None else None
            if saved is not None and saved.offset <= info.st_size:
                LOG.info("[%s] finishing %s from offset %d (rotated while the agent was stopped)",
                         self.stream.section, path, saved.offset)
                self._begin(tracked, saved.offset)
            else:
                LOG.info("[%s] %s was rotated before a poll saw it; reading it", self.stream.section, path)

    def _finish_copy(self, truncated):
        """After a copy-and-truncate, reads the rest of the copy from where we were in the original."""
        offset = truncated.offset
        for path in sibling_paths(truncated.path):
            try:
                info = os.stat(path)
            except OSError:
                continue
            if info.st_ino in self._files or info.st_size < offset or not stat.S_ISREG(info.st_mode):
                continue
            copy = self._open(path, urgent=True)
            if copy is None:
                continue
            tail = truncated.tail
            if (os.pread(copy.fd, len(truncated.head), 0) == truncated.head
                    and os.pread(copy.fd, len(tail), offset - len(tail)) == tail):
                copy.fingerprint, copy.head, copy.rotated = truncated.fingerprint, truncated.head, True
                copy.file_name = truncated.file_name
                self._files[copy.inode] = copy
                self._begin(copy, offset)
                LOG.info("[%s] reading the rest of %s from its copy %s at offset %d",
                         self.stream.section, truncated.path, path, offset)
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
            self._copies.append(self._named(CompressedCopy(path, (truncated.fingerprint, inode), offset,
                                                           truncated.file_name, self._make_reader(self._spec, offset),
                                                           self.stream.section, self._clock)))
            LOG.info("[%s] reading the rest of %s from its compressed copy %s at offset %d",
                     self.stream.section, truncated.path, path, offset)
