"""The journal through a ``journalctl -o json --follow`` child process (as Vector's and
OpenTelemetry's journald inputs read it), with ``journal_reader = journalctl``, and the one
``auto`` (the default) falls back to where libsystemd cannot be loaded. Its output is read by a
thread of its own while the agent works."""
import fcntl
import json
import logging
import os
import queue
import select
import subprocess
import threading
import time

from awscli_cwlogs.sources.journal.journalctl import DENIED, PERMISSION_FIX, entry_at, journal_gap, journalctl_command

LOG = logging.getLogger("awscli_cwlogs")
PIPE_BYTES = 1 << 20  # journalctl's pipe, enlarged: fewer, larger reads
SETTLE_S = 0.02  # journalctl writes 4 KiB at a time: a pause before each read makes one large read of many
PIPE_CHUNKS = 4  # chunks of its output read ahead (up to PIPE_BYTES each): then journalctl waits


class ReaderProblem(Exception):
    """The reader cannot start: ``kind`` ("missing", "denied", ...) and a sentence."""

    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind


class JournalctlReader:
    name = "journalctl"

    def __init__(self, stream, journalctl="journalctl", wake=lambda: None):
        self._stream, self._journalctl, self.wake = stream, journalctl, wake
        self._process = self._chunks = None
        self._partial = b""

    def start(self, start):
        """Starts journalctl at ``start`` (("cursor", C), ("head",) or ("tail",)); what it runs."""
        command = journalctl_command(self._stream, start, self._journalctl)
        try:
            self._process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                             stderr=subprocess.PIPE)
        except OSError as error:
            raise ReaderProblem("missing", f"cannot run {self._journalctl} ({error.strerror}): is this a systemd "
                                "host? Will try again") from None
        try:  # Linux: a larger pipe, so journalctl writes ahead while the agent works
            fcntl.fcntl(self._process.stdout.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)
        except (AttributeError, OSError):
            pass
        stderr = self._process.stderr.fileno()
        fcntl.fcntl(stderr, fcntl.F_SETFL, fcntl.fcntl(stderr, fcntl.F_GETFL) | os.O_NONBLOCK)
        self._chunks = queue.Queue(PIPE_CHUNKS)
        threading.Thread(target=self._pump, args=(self._process.stdout, self._chunks), daemon=True,
                         name=f"journalctl-{self._stream.section}").start()
        self._partial = b""
        return " ".join(command)

    def take(self, budget):
        """(entries, ended): what journalctl printed, up to about ``budget`` bytes of it."""
        data, ended, size = [], False, 0
        while size < budget:
            try:
                chunk = self._chunks.get_nowait()
            except queue.Empty:
                break
            if not chunk:
                ended = True
                break
            data.append(chunk)
            size += len(chunk)
        return (self._entries(b"".join(data)) if data else []), ended

    def backlog(self):
        return not self._chunks.empty()

    def _pump(self, stdout, chunks):
        """Reads journalctl's output while the agent does other work; blocks (and so journalctl
        waits) when PIPE_CHUNKS are not taken yet: memory stays bounded."""
        fd = stdout.fileno()
        readable = select.poll()  # not select.select: a busy agent's descriptors may pass 1024
        readable.register(fd, select.POLLIN)
        while True:
            try:
                readable.poll()
                time.sleep(SETTLE_S)
                chunk = os.read(fd, PIPE_BYTES)
            except (OSError, ValueError):
                chunk = b""
            chunks.put(chunk)
            self.wake()
            if not chunk:
                return

    def _entries(self, data):
        """The entries of JSON lines; one decoder call for them all (half the cost of one per line)."""
        data = self._partial + data
        cut = data.rfind(b"\n") + 1
        self._partial, data = data[cut:], data[:cut]
        if not data:
            return []
        try:
            return json.loads(b"[" + data[:-1].replace(b"\n", b",") + b"]")
        except ValueError:
            entries = []
            for line in data.splitlines():
                try:
                    entries.append(json.loads(line))
                except ValueError:
                    if line.strip():
                        LOG.warning("[%s] journalctl printed a line that is not JSON; skipped: %.200r",
                                    self._stream.section, line)
            return entries

    def idle(self):
        """journalctl's complaints: ("denied", sentence), ("warning", its first line) or None."""
        try:
            text = (self._process.stderr.read() or b"").decode("utf-8", errors="replace")
        except OSError:
            return None
        if any(sign in text for sign in DENIED):
            return "denied", f"cannot read the journal: permission denied. {PERMISSION_FIX}"
        if text.strip():
            return "warning", f"journalctl: {text.strip().splitlines()[0]}"
        return None

    def end(self, failed_before):
        """After its output ended: (problem or None, what to log)."""
        problem = self.idle()
        code = self._process.wait()
        self._process = None
        hint = f" (if it may not read the journal: {PERMISSION_FIX})" if code != 0 and failed_before else ""
        return problem, f"journalctl exited with code {code}; starting it again from the last entry read{hint}"

    def gap(self, position):
        return journal_gap(self._stream, position, self._journalctl)

    def entry_at(self, cursor):
        return entry_at(self._stream, cursor, self._journalctl)

    def close(self):
        if self._process is None:
            return
        self._process.terminate()
        deadline = time.monotonic() + 5
        while True:  # take what is left, so the reading thread reaches the end
            try:
                self._chunks.get(timeout=0.1)
            except queue.Empty:
                if self._process.poll() is not None or time.monotonic() > deadline:
                    break
        try:
            self._process.wait(5)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._process = None
