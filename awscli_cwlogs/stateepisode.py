"""A time when the state file could not be written (an episode), and its cause as the operating
system words it: SQLite says only 'database or disk is full' or 'disk I/O error'."""
import errno
import os
from dataclasses import dataclass, field

PROBE_BYTES = 64 << 10  # a write SQLite's next transaction could well need
SHOWN_DESTINATIONS = 5


def disk_cause(path, error):
    """Why ``error`` happened to the state file at ``path``: an OSError's own text, else what the
    file system of its folder says (read-only, full, or the errno of a small test write), with
    SQLite's words beside it; SQLite's words alone when the file system shows nothing wrong."""
    if isinstance(error, OSError):
        return error.strerror or str(error)
    reason = _file_system_says(path)
    return f"{reason} (SQLite: {error})" if reason else str(error)


def state_disk(path):
    """The file system the state file at ``path`` is on (that of its nearest folder there: the state
    folder itself may be gone): {"read_only", "free_bytes"}, or None where it cannot be asked."""
    folder = os.path.dirname(os.path.abspath(path))
    while not os.path.isdir(folder) and os.path.dirname(folder) != folder:
        folder = os.path.dirname(folder)
    try:
        stats = os.statvfs(folder)
    except OSError:
        return None
    return {"read_only": bool(stats.f_flag & os.ST_RDONLY), "free_bytes": stats.f_bavail * stats.f_frsize,
            "folder": folder}


def _file_system_says(path):
    disk = state_disk(path)
    if disk is None:
        return None
    if disk["read_only"]:
        return os.strerror(errno.EROFS)
    if disk["free_bytes"] < PROBE_BYTES:
        return os.strerror(errno.ENOSPC)
    folder = disk["folder"]
    probe = os.path.join(folder, f".awslogs-write-test-{os.getpid()}")
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as error:
        return error.strerror
    try:
        os.write(fd, bytes(PROBE_BYTES))
    except OSError as error:
        return error.strerror
    finally:
        os.close(fd)
        os.unlink(probe)
    return None


@dataclass
class Episode:
    """The state file behind the memory copy: since when (``began`` monotonic, ``began_at`` wall
    clock, for --status), why, how many writes failed, and the events accepted meanwhile per
    destination ("group/stream"): what a kill -9 would send again."""

    cause: str
    began: float
    began_at: float
    failures: int = 1
    unsaved: dict = field(default_factory=dict)

    def unsaved_events(self):
        return sum(self.unsaved.values())

    def describe_end(self, path, now):
        return (f"state file {path} written again after {_seconds(now - self.began)} ({self.failures:,} failed "
                f"attempt(s): {self.cause}); every position is saved; a kill -9 during that time would have "
                f"sent {self._unsaved_text()} again")

    def describe_stop(self, path, now):
        return (f"the state file {path} not written for {_seconds(now - self.began)} ({self.cause}): "
                f"{self._unsaved_text()} accepted since then will be sent again at the next start")

    def as_note(self):
        return {"since": self.began_at, "cause": self.cause, "failures": self.failures,
                "unsaved_events": self.unsaved_events()}

    def _unsaved_text(self):
        text = f"{self.unsaved_events():,} event(s)"
        if len(self.unsaved) > 1:
            largest = sorted(self.unsaved.items(), key=lambda item: -item[1])[:SHOWN_DESTINATIONS]
            more = ", ..." if len(self.unsaved) > SHOWN_DESTINATIONS else ""
            text += " (" + ", ".join(f"{name} {count:,}" for name, count in largest) + more + ")"
        return text


def _seconds(seconds):
    return f"{seconds:.1f} s" if seconds < 10 else f"{seconds:,.0f} s"
