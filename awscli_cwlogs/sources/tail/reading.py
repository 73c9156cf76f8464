"""A round of reading one followed file: opened again if it was parked, read again from its start
if it was truncated or rewritten (the rest of the old content from its copy), up to a budget,
then let go once rotated and drained, or parked while idle."""
import logging
import os

from awscli_cwlogs.sources.tail import openfiles
from awscli_cwlogs.sources.tail.fileset import TAIL_BYTES
from awscli_cwlogs.sources.tail.tracked import GONE, OPENED, read_head

LOG = logging.getLogger("awscli_cwlogs")
ROTATE_WAIT_S = 10.0  # a rotated file is read until it has not grown for this long


class FileRounds:
    """For one tailer's FileSet and RotationFollower. ``first_offset(tracked)``: where a file
    starts to be read once its first lines can be fingerprinted."""

    def __init__(self, files, rotation, fingerprint_lines, first_offset):
        self._files, self._rotation = files, rotation
        self._section = files.section
        self._fingerprint_lines = fingerprint_lines
        self._first_offset = first_offset

    def read(self, tracked, budget, now):
        """(events, more waiting): a round of ``tracked``, at most ``budget`` bytes."""
        if tracked.fd is None:
            found = tracked.reopen(self._section)
            if found == GONE:
                LOG.info("[%s] %s was removed while it had nothing new", self._section, tracked.path)
                self._files.forget(tracked)
                return tracked.reader.finish(), False
            if found != OPENED:
                return tracked.reader.flush_idle(), False
        size = os.fstat(tracked.fd).st_size
        events = self._look(tracked, size, now) if size != tracked.last_size else []
        if tracked.reader is None and not self._begin(tracked):
            pass
        elif size > tracked.offset:
            data = os.pread(tracked.fd, min(budget, size - tracked.offset), tracked.offset)
            tracked.offset += len(data)
            tracked.tail = (tracked.tail + data[-TAIL_BYTES:])[-TAIL_BYTES:]
            return events + tracked.reader.feed(data), tracked.offset < size
        elif tracked.rotated:  # drained, and its writer moved on: its last event is whole (max-file may delete it soon)
            events += tracked.reader.flush_complete()
        else:
            events += tracked.reader.flush_idle()
        if tracked.rotated and now - tracked.last_growth >= ROTATE_WAIT_S:
            if tracked.reader is not None:
                events += tracked.reader.finish()
            LOG.info("[%s] done with rotated %s", self._section, tracked.path)
            self._files.forget(tracked)
        elif now - tracked.last_growth >= openfiles.IDLE_CLOSE_S and tracked.parkable():
            tracked.park()
        return events, False

    def _look(self, tracked, size, now):
        """The file's size changed: if it was truncated or rewritten, the events of what was read
        before (sent as they are, a pending event included), and it is read again from its start."""
        tracked.last_size = size
        tracked.last_growth = now
        openfiles.FILES.held(tracked)  # the most recently active
        if tracked.reader is None or (size >= tracked.offset and _same_content(tracked)):
            return []
        LOG.warning("[%s] %s was truncated or rewritten; reading it again from the start", self._section, tracked.path)
        events = tracked.reader.finish()
        if not tracked.rotated:
            self._rotation.finish_copy(tracked)
        tracked.fingerprint, tracked.reader = None, None
        return events

    def _begin(self, tracked):
        """Starts reading a file once its first lines can be fingerprinted."""
        tracked.fingerprint, tracked.head = read_head(tracked.fd, self._fingerprint_lines)
        if tracked.fingerprint is None:
            return False
        self._files.begin(tracked, self._first_offset(tracked))
        return True


def _same_content(tracked):
    """Whether the file still starts with the head and has, before the offset, the tail read there."""
    if os.pread(tracked.fd, len(tracked.head), 0) != tracked.head:
        return False
    return os.pread(tracked.fd, len(tracked.tail), tracked.offset - len(tracked.tail)) == tracked.tail
