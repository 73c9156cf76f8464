"""The agent's budget of descriptors for the files it follows, shared by every section.

A file with nothing new is closed ("parked") and reopened when a stat shows it changed; when the
budget is used up, the least recently active file that has been read to its end is parked to
make room. A file that still has unread bytes is never parked for room, so a file removed while
parked has lost nothing. What cannot be opened waits (one WARNING per episode) and is tried again.
A reserve below the process limit stays for what must never starve: the connections to the
service, the state file, journalctl's pipe, the log.
"""
import collections
import errno
import logging
import os
import resource
import time

LOG = logging.getLogger("awscli_cwlogs")
RESERVE = 100  # descriptors kept below the soft limit for all but followed files
IDLE_CLOSE_S = 30.0  # a file with nothing new for this long is closed until it changes
_OUT_OF_DESCRIPTORS = (errno.EMFILE, errno.ENFILE)


def default_cap(limit):
    """The cap on open followed files under a soft limit of ``limit`` descriptors."""
    if limit == resource.RLIM_INFINITY:
        return 65_536
    return max(16, limit - RESERVE)


class OpenFiles:
    """The followed files open now, least recently active first, and the paths waiting for a
    descriptor (path -> section). ``cap`` is set by the agent at start (``[general] max_open_files``)."""

    def __init__(self, cap=None):
        self.cap = cap if cap is not None else default_cap(resource.getrlimit(resource.RLIMIT_NOFILE)[0])
        self._open = collections.OrderedDict()  # TrackedFile -> None
        self.waiting = {}
        self._episode = 0  # how many opens failed in this episode of exhaustion
        self.report = None  # told the waiting files (for --status), at most once a second and when none are left
        self._reported = (None, 0.0)  # (the waiting paths told, when)

    def __len__(self):
        return len(self._open)

    def open(self, path, section, urgent=False):
        """A descriptor for ``path``, making room by parking an idle file when the cap is reached;
        None when none can be had now (the path waits). ``urgent`` goes past the cap rather than
        wait. Other errors are raised."""
        if len(self._open) >= self.cap and not self._park_one() and not urgent:
            return self._wait(path, section, f"{self.cap:,} files open, max_open_files")
        try:
            fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        except OSError as error:
            if error.errno not in _OUT_OF_DESCRIPTORS:
                raise
            self.cap = max(16, len(self._open) - 1)  # the limit is lower than the cap thought
            self._park_one()
            return self._wait(path, section, error.strerror)
        if self.waiting.pop(path, None) is not None:
            if not self.waiting and self._episode:
                LOG.info("open files: every waiting file is open now (after %d attempts that had to wait)",
                         self._episode)
                self._episode = 0
            self._tell()
        return fd

    def held(self, tracked):
        """``tracked`` has its descriptor (from ``open``), or was active: it is the most recent."""
        self._open[tracked] = None
        self._open.move_to_end(tracked)

    def released(self, tracked):
        self._open.pop(tracked, None)

    def _park_one(self):
        for tracked in self._open:
            if tracked.parkable():
                tracked.park()
                return True
        return False

    def _wait(self, path, section, why):
        if not self._episode:
            LOG.warning("open files: cannot open more files (%s); files wait their turn, nothing is skipped "
                        "(aws logs push --status lists them)", why)
        self._episode += 1
        self.waiting[path] = section
        self._tell()
        return None

    def _tell(self, clock=time.monotonic):
        told, at = self._reported
        if self.report is None or set(self.waiting) == told or (self.waiting and clock() - at < 1.0):
            return
        self.report(dict(self.waiting))
        self._reported = (set(self.waiting), clock())


FILES = OpenFiles()


def configure(cap):
    """Sets the cap for this run (at the agent's start: a reload keeps it); returns it."""
    FILES.cap = cap
    return cap
