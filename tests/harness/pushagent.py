"""Runs the real `aws logs push` agent in a subprocess and audits what the endpoint stored."""
import contextlib
import os
import re
import signal
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

_SEQ = re.compile(r"seq (\d{9})")


def write_lines(path, start, count, mode="a", payload="payload " + "x" * 80):
    """Appends lines ``seq NNNNNNNNN payload`` numbered start..start+count-1."""
    with open(path, mode) as out:
        out.write("".join(f"seq {i:09d} {payload}\n" for i in range(start, start + count)))


def section(path, group, stream, **extra):
    """A stream section following ``path``, with a short buffer so tests do not wait 5 s per batch."""
    return {"file": str(path), "log_group_name": group, "log_stream_name": stream, "buffer_duration": 200, **extra}


def stored_messages(logs, group, stream):
    return [event["message"] for event in logs.stored_events(group, stream)]


def audit(messages, expected):
    """(lost, duplicated) sequence numbers, given stored messages and the expected numbers."""
    seqs = [int(m) for message in messages for m in _SEQ.findall(message)]
    seen = set(seqs)
    lost = sorted(set(expected) - seen)
    return lost, len(seqs) - len(seen)


def assert_delivered(logs, group, stream, expected, duplicated_at_most=0):
    """What the endpoint stored in group/stream, audited: every sequence number of ``expected``
    there (0 lost), and at most ``duplicated_at_most`` stored twice (0 unless a kill -9 left a
    batch in flight). Returns (lost, duplicated) for a report."""
    lost, duplicated = audit(stored_messages(logs, group, stream), expected)
    assert lost == [], f"{group}/{stream}: {len(lost)} lost, the first {lost[:10]}"
    assert duplicated <= duplicated_at_most, f"{group}/{stream}: {duplicated} duplicated (at most {duplicated_at_most})"
    return lost, duplicated


class PushAgent:
    """One agent configuration; start/stop it like a service would."""

    def __init__(self, aws, folder, sections, general=None):
        self.aws = aws
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.config = self.folder / "awslogs.conf"
        self.state_file = self.folder / "agent-state"
        general = {"state_file": str(self.state_file), **(general or {})}
        text = "[general]\n" + "".join(f"{k} = {v}\n" for k, v in general.items())
        for name, values in sections.items():
            text += f"\n[{name}]\n" + "".join(f"{k} = {v}\n" for k, v in values.items())
        self.config.write_text(text)
        self.location = self.config  # what --config-file says: this file, or an ssm: parameter
        self.process = None
        self.runs = 0

    def start(self, *extra, env=None, open_files=None):
        self.runs += 1
        self.log = self.folder / f"agent-{self.runs}.log"
        self._log_handle = open(self.log, "wb")
        self.process = self.aws.popen("logs", "push", "--config-file", self.location, *extra, env=env,
                                      open_files=open_files, stdout=subprocess.PIPE, stderr=self._log_handle)
        return self

    def wait_started(self, timeout=60):
        """Until the agent has read its config: its signal handlers are in place from then on (before,
        SIGTERM ends the starting CLI at once, as it would end any process that set no handler)."""
        wait_until(lambda: "stream section(s)" in self.log_text() or self.process.poll() is not None,
                   timeout, "the agent to start")

    def stop(self, signum=signal.SIGTERM, timeout=60):
        """Sends the signal, waits for the exit, and returns the exit code."""
        self.process.send_signal(signum)
        try:
            code = self.process.wait(timeout)
        finally:
            self._log_handle.close()
        return code

    def kill(self):
        return self.stop(signal.SIGKILL)

    def log_text(self):
        return self.log.read_text(errors="replace")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def accepted_offset(state_file):
    """The largest offset the agent's state file records as accepted (0 before it has one): bytes
    for files, the entry's time in microseconds for the journal."""
    if not state_file.exists():
        return 0
    try:
        db = sqlite3.connect(f"file:{state_file}?mode=ro", uri=True)
        try:
            return db.execute("SELECT max(offset) FROM positions").fetchone()[0] or 0
        finally:
            db.close()
    except sqlite3.Error:  # not created yet
        return 0


def wait_until(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def start_shipping(agent, writer, wire, group, stream, first=2_000):
    """Starts the agent and the writer (a PacedWriter); returns once ``first`` lines were accepted."""
    agent.start()
    writer.start()
    wait_until(lambda: wire.accepted_events(group, stream) >= first, 60, f"the first {first:,} lines shipped")


def settle(wire, group, stream, at_least, timeout=180):
    """Waits until the endpoint accepted ``at_least`` events and then nothing more for 2 s."""
    wait_until(lambda: wire.accepted_events(group, stream) >= at_least, timeout, f"{at_least:,} accepted events")
    last, quiet_since = -1, time.monotonic()
    while time.monotonic() - quiet_since < 2.0:
        now = wire.accepted_events(group, stream)
        if now != last:
            last, quiet_since = now, time.monotonic()
        time.sleep(0.2)
    return last


class PacedWriter(threading.Thread):
    """Writes numbered lines at a steady pace to whatever file ``self.out`` is. With
    ``reopen_when_replaced``, like Python's WatchedFileHandler, it reopens the path once a new
    file stands there (after logrotate's create); until then it writes on to the old one."""

    def __init__(self, path, per_second=2000, reopen_when_replaced=False):
        super().__init__(daemon=True)
        self.path = str(path)
        self.out = open(path, "a", buffering=1)
        self.per_second = per_second
        self.reopen_when_replaced = reopen_when_replaced
        self.next = 0
        self.lock = threading.Lock()
        self.running = True

    def run(self):
        while self.running:
            with self.lock:
                if self.reopen_when_replaced:
                    self._reopen_if_replaced()
                lines = range(self.next, self.next + self.per_second // 50)
                self.out.write("".join(f"seq {i:09d} written at {time.time():.6f}\n" for i in lines))
                self.next += len(lines)
            time.sleep(0.02)

    def _reopen_if_replaced(self):
        try:
            replaced = os.stat(self.path).st_ino != os.fstat(self.out.fileno()).st_ino
        except FileNotFoundError:
            return
        if replaced:  # under self.lock already
            self.out.close()
            self.out = open(self.path, "a", buffering=1)

    def reopen(self, path):
        with self.lock:
            self.out.close()
            self.out = open(path, "a", buffering=1)

    @contextlib.contextmanager
    def paused(self):
        with self.lock:
            yield

    def stop(self):
        self.running = False
        self.join()
        self.out.close()
        return self.next


class InstalledAgent:
    """The agent an install staged under ``root`` holds, run as its unit runs it (its launcher),
    its stderr appended to ``log``; ``with`` it: killed on the way out if a test failed with it
    running."""

    def __init__(self, root, env, log):
        self.command = [str(Path(root) / "opt/awscli-cwlogs/bin/awslogs-agent-launcher")]
        self.env, self.log, self.process = env, Path(log), None

    def start(self):
        with open(self.log, "ab") as stderr:
            self.process = subprocess.Popen(self.command, env=self.env, stdout=subprocess.DEVNULL, stderr=stderr)

    def stop(self):
        """SIGTERM, as systemctl stop sends it: the agent sends what it read and exits 0."""
        self.process.terminate()
        assert self.process.wait(60) == 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
