"""One agent per state file: an advisory lock (flock) on ``<state_file>.lock``. The kernel drops it
when the process ends, kill -9 included, so a dead agent never leaves a stale lock.

The lock file also holds a note for ``--status``: the agent's pid, since when it runs and, while
the state file cannot be written, that episode. The note is rewritten in place, in a block the
file already has, so a full disk still takes it."""
import fcntl
import json
import logging
import os
import time

LOG = logging.getLogger("awscli_cwlogs")
NOTE_BYTES = 4096
WAIT_STEP_S = 0.2


class StateFileBusy(Exception):
    """Another agent holds the state file's lock."""

    def __init__(self, state_file, pid):
        self.state_file, self.pid = state_file, pid
        who = f"pid {pid}" if pid else "its pid unknown"
        stop = f"sudo systemctl stop awslogs, or kill {pid}" if pid else "sudo systemctl stop awslogs"
        super().__init__(f"another agent ({who}) is running with the state file {state_file}; stop it first "
                         f"({stop}), or give this one a state_file of its own")


def lock_path(state_file):
    return f"{state_file}.lock"


class StateLock:
    def __init__(self, state_file, clock=time.time):
        self.state_file, self.path = state_file, lock_path(state_file)
        self._clock, self._since = clock, clock()
        self._fd = None
        self._note = None  # the episode last told, written again into a new lock file

    def acquire(self, wait_s=0.0, sleep=time.sleep, monotonic=time.monotonic):
        """Takes the lock; while another agent holds it, waits up to ``wait_s`` for it to end, then
        raises StateFileBusy. Where no lock file can be made (a read-only or full disk that has none
        yet) it warns and goes on: renew() tries again once the state file can be written."""
        try:
            fd = _open(self.path)
        except OSError as error:
            LOG.warning("cannot lock the state file: %s: %s; a second agent on it would not be noticed until "
                        "the lock file can be made", self.path, error.strerror or error)
            return
        deadline, told = monotonic() + wait_s, False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                pid = holder(self.state_file)
                if monotonic() >= deadline:
                    os.close(fd)
                    raise StateFileBusy(self.state_file, pid) from None
                if not told:
                    told = True
                    LOG.info("waiting up to %.0f s for the agent (pid %s) that holds %s to stop",
                             wait_s, pid or "unknown", self.path)
                sleep(WAIT_STEP_S)
        self._fd = fd
        self.tell(None)

    def renew(self):
        """After the lock file was removed (with the state folder): a new one, locked again."""
        try:
            if self._fd is not None and os.fstat(self._fd).st_nlink > 0:
                return
            fd = _open(self.path)
        except OSError:
            return  # tried again at the next renew
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            LOG.warning("another agent (pid %s) locked %s after it was removed: two agents now share the state "
                        "file; stop one of them", holder(self.state_file) or "unknown", self.path)
            os.close(fd)
            return
        if self._fd is not None:
            os.close(self._fd)
        self._fd = fd
        self.tell(self._note)

    def tell(self, episode, stopped=False):
        """Rewrites the note: ``episode`` (a dict, or None while the state file is written)."""
        self._note = episode
        if self._fd is None:
            return
        note = {"pid": os.getpid(), "since": self._since, "state_file_unwritten": episode}
        if stopped:
            note["stopped"] = self._clock()
        try:
            os.pwrite(self._fd, json.dumps(note).encode().ljust(NOTE_BYTES), 0)
        except OSError:
            pass  # --status shows the last note that could be written

    def release(self):
        if self._fd is not None:
            os.close(self._fd)  # drops the lock
            self._fd = None


def _open(path):
    """The lock file, created 0600 (and its folder 0700) with a block for the note; read-only
    where it exists but cannot be written (flock needs no more)."""
    folder = os.path.dirname(path)
    if folder and not os.path.isdir(folder):
        os.makedirs(folder, mode=0o700, exist_ok=True)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        if not os.path.exists(path):
            raise
        return os.open(path, os.O_RDONLY)
    if os.fstat(fd).st_size < NOTE_BYTES:
        try:
            os.pwrite(fd, b" " * NOTE_BYTES, 0)
        except OSError:
            pass
    return fd


def read_note(state_file):
    """The note of the agent that last held the lock (a dict), or None."""
    try:
        with open(lock_path(state_file), "rb") as note:
            return json.loads(note.read(NOTE_BYTES).strip() or b"null")
    except (OSError, ValueError):
        return None


def holder(state_file):
    """The pid of the agent that holds the state file's lock (from /proc/locks; the note's pid where
    that table cannot show it, as across pid namespaces; 0 if neither can), or None when no process
    holds it."""
    try:
        info = os.stat(lock_path(state_file))
        with open("/proc/locks") as table:
            rows = table.read().splitlines()
    except OSError:
        return None
    inode = f"{os.major(info.st_dev):02x}:{os.minor(info.st_dev):02x}:{info.st_ino}"
    for row in rows:
        fields = row.split()  # "1: FLOCK  ADVISORY  WRITE 1234 00:2f:5678 0 EOF"; waiters have "->"
        if len(fields) >= 6 and fields[1] == "FLOCK" and fields[5] == inode:
            pid = int(fields[4])
            if pid > 0:
                return pid
            return (read_note(state_file) or {}).get("pid") or 0
    return None
