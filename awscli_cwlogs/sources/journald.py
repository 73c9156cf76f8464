"""The systemd journal, read through a ``journalctl -o json -f`` child process (as Vector's and
OpenTelemetry's journald inputs do: no C binding). A position is the entry's cursor and its
time; the agent saves it only after CloudWatch Logs accepted the entry, and a restart starts
at that cursor (inclusive, dropping that one entry: --after-cursor with a match can skip an
entry before systemd 255), so nothing is lost and nothing is sent twice."""
import fcntl
import json
import logging
import os
import queue
import subprocess
import threading
import time

from awscli_cwlogs.sources.journal_entries import JournalRoute, at_or_before, entry_events, route_values

LOG = logging.getLogger("awscli_cwlogs")
KEY = JournalRoute({}).key  # the state file's key of a section's position (one per route with {unit}/{identifier})
BACKOFF_S = (1, 2, 4, 8, 15, 30, 60)
PIPE_BYTES = 1 << 20  # journalctl's pipe, enlarged: fewer, larger reads
PIPE_CHUNKS = 4  # chunks of its output read ahead (up to PIPE_BYTES each): then journalctl waits
STDERR_CHECK_S = 1.0
_DENIED = ("insufficient permissions", "Permission denied")
_PERMISSION_FIX = "Run the agent as root, or in the systemd-journal (or adm) group"


def saved_positions(saved):
    """The journal's rows among a stream's saved Positions: key -> (cursor, time in µs), one per route."""
    return {key: (p.path, p.offset) for key, p in saved.items() if key[0].startswith(KEY[0])}


def oldest(positions):
    """The earliest of such positions (where a restart starts), or None."""
    return min(positions.values(), key=lambda position: position[1], default=None)


def journalctl_command(stream, start, journalctl="journalctl", follow=True):
    """The journalctl command line; ``start``: ("cursor", C), ("head",), ("tail",) or ("last", N)."""
    command = [journalctl, "-o", "json", "--all", "--no-pager"] + (["--follow"] if follow else [])
    if stream.journal_directory:
        command += ["--directory", stream.journal_directory]
    for unit in stream.units:
        command += ["--unit", unit]
    if stream.priority is not None:
        command += ["--priority", stream.priority]
    if start[0] == "cursor":  # --follow would otherwise give 10 entries from the cursor, then only new ones
        command += ["--cursor", start[1], "--no-tail"]
    elif start[0] == "last":
        command += ["--lines", str(start[1])]
    else:  # --follow alone starts with the last 10 entries (systemd issue 4739)
        command += ["--lines", "all" if start[0] == "head" else "0"]
    return command + list(stream.matches)


class JournaldSource:
    """One stream section's entries of the journal: a journalctl child, restarted (with backoff)
    from the last entry read when it exits. With {unit} or {identifier} in the names, each route
    keeps its own cursor; a restart starts at the oldest and drops, per route, what it had sent."""

    exhausted = False

    def __init__(self, stream, saved, has_state, journalctl="journalctl", clock=time.monotonic):
        self.stream = stream
        self._journalctl = journalctl
        self._clock = clock
        self._used = [name for name in ("unit", "identifier")
                      if "{%s}" % name in stream.log_group_name + stream.log_stream_name]
        self._done = saved_positions(saved)
        self._read = oldest(self._done)  # the last entry read
        self._initial = "head" if has_state or stream.initial_position == "start_of_file" else "tail"
        self._routes = {}  # route values -> JournalRoute
        self._last = {}  # route key -> the position of its last entry read
        self._process = None
        self._chunks = None  # journalctl's output, read by a thread of its own; b"" at its end
        self._partial = b""
        self._restarts = 0
        self._restart_at = 0.0
        self._reported = set()
        self._skip = None  # the cursor journalctl restarts at, already read: dropped when it comes first
        self._started = False
        self._stderr_at = 0.0
        self.busy = False
        self.wake = lambda: None  # the agent sets it: wakes its idle loop when output arrives

    def keys(self):
        return {route.key for route in self._routes.values()} | set(self._done)

    def flush_pending(self):
        return []  # an entry is complete when journalctl prints it

    def poll(self, budget):
        self.busy = False
        if self._process is None and not self._start():
            return []
        data, ended = [], False
        size = 0
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
        found = self._events(b"".join(data)) if data else []
        if ended:
            self._ended()
        elif data:
            self.busy = not self._chunks.empty()
        elif self._clock() >= self._stderr_at:
            self._stderr_at = self._clock() + STDERR_CHECK_S
            self._check_stderr()
        return found

    def _pump(self, stdout, chunks):
        """Reads journalctl's output while the agent does other work; blocks (and so journalctl
        waits) when PIPE_CHUNKS are not taken yet: memory stays bounded."""
        fd = stdout.fileno()
        while True:
            try:
                chunk = os.read(fd, PIPE_BYTES)
            except OSError:
                chunk = b""
            chunks.put(chunk)
            self.wake()
            if not chunk:
                return

    def _events(self, data):
        lines = (self._partial + data).split(b"\n")
        self._partial = lines.pop()
        found = []
        for entry in self._decode([line for line in lines if line.strip()]):
            try:
                position = (entry["__CURSOR"], int(entry["__REALTIME_TIMESTAMP"]))
            except (KeyError, TypeError, ValueError):
                LOG.warning("[%s] journalctl printed an entry without cursor or time; skipped: %.200r",
                            self.stream.section, entry)
                continue
            if self._skip is not None:
                skip, self._skip = self._skip, None
                if position[0] == skip:
                    continue
            self._read = position
            route = self._route(route_values(entry, self._used))
            if self._already_sent(route.key, position):
                continue
            events = entry_events(entry, self.stream.message_format, self._last.get(route.key))
            self._last[route.key] = position
            if not events:
                continue
            if found and found[-1][1] is route:
                found[-1][2].extend(events)
            else:
                found.append((route.key, route, events))
        if found:
            self._restarts = 0
        return found

    def _decode(self, lines):
        """The entries of JSON lines; one decoder call for them all (half the cost of one per line)."""
        try:
            return json.loads(b"[" + b",".join(lines) + b"]")
        except ValueError:
            entries = []
            for line in lines:
                try:
                    entries.append(json.loads(line))
                except ValueError:
                    LOG.warning("[%s] journalctl printed a line that is not JSON; skipped: %.200r",
                                self.stream.section, line)
            return entries

    def _route(self, values):
        cache_key = tuple(values.items())
        route = self._routes.get(cache_key)
        if route is None:
            route = self._routes[cache_key] = JournalRoute(values)
        return route

    def _already_sent(self, key, position):
        done = self._done.get(key)
        if done is None:
            return False
        if at_or_before(position, done):
            return True
        del self._done[key]  # entries come in journal order: the rest of this route is new
        return False

    def _start(self):
        if self._clock() < self._restart_at:
            return False
        start = ("cursor", self._read[0]) if self._read else (self._initial,)
        if self._started:
            self._skip = self._read[0] if self._read else None  # the child's restart: that entry was read
        elif self._read:
            self._warn_if_vacuumed(self._read)  # the agent's start: what was sent is dropped per route
        self._started = True
        command = journalctl_command(self.stream, start, self._journalctl)
        try:
            self._process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                             stderr=subprocess.PIPE)
        except OSError as error:
            self._report("missing", f"cannot run {self._journalctl} ({error.strerror}): is this a systemd host? "
                         "Will try again")
            self._back_off()
            return False
        try:  # Linux: a larger pipe, so journalctl writes ahead while the agent works
            fcntl.fcntl(self._process.stdout.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)
        except (AttributeError, OSError):
            pass
        stderr = self._process.stderr.fileno()
        fcntl.fcntl(stderr, fcntl.F_SETFL, fcntl.fcntl(stderr, fcntl.F_GETFL) | os.O_NONBLOCK)
        self._chunks = queue.Queue(PIPE_CHUNKS)
        threading.Thread(target=self._pump, args=(self._process.stdout, self._chunks), daemon=True,
                         name=f"journalctl-{self.stream.section}").start()
        self._partial = b""
        LOG.info("[%s] reading the journal: %s", self.stream.section, " ".join(command))
        return True

    def _warn_if_vacuumed(self, position):
        gap = journal_gap(self.stream, position, self._journalctl)
        if gap:
            LOG.warning("[%s] %s", self.stream.section, gap)

    def _check_stderr(self):
        """journalctl's complaints: a permission problem once as an ERROR, others as WARNINGs;
        returns whether it was a permission problem."""
        try:
            text = (self._process.stderr.read() or b"").decode("utf-8", errors="replace")
        except OSError:
            return False
        if any(sign in text for sign in _DENIED):
            self._report("denied", f"cannot read the journal: permission denied. {_PERMISSION_FIX}")
            return True
        if text.strip():
            LOG.warning("[%s] journalctl: %s", self.stream.section, text.strip().splitlines()[0])
        return False

    def _ended(self):
        denied = self._check_stderr()
        code = self._process.wait()
        self._process = None
        if not denied:
            silent = code != 0 and self._restarts > 0  # it failed again before printing any entry
            LOG.warning("[%s] journalctl exited with code %s; starting it again from the last entry read%s",
                        self.stream.section, code, f" (if it may not read the journal: {_PERMISSION_FIX})"
                        if silent else "")
        self._back_off()

    def _back_off(self):
        self._restart_at = self._clock() + BACKOFF_S[min(self._restarts, len(BACKOFF_S) - 1)]
        self._restarts += 1

    def _report(self, what, message):
        if what not in self._reported:
            self._reported.add(what)
            LOG.error("[%s] %s", self.stream.section, message)

    def close(self):
        if self._process is not None:
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


def preview(stream, count, journalctl="journalctl", timeout=30):
    """(the command, [(timestamp_ms, message)] of the last ``count`` matching entries as they
    would be sent, [problems]) for --check; it never follows."""
    command = journalctl_command(stream, ("last", count), journalctl, follow=False)
    try:
        result = subprocess.run(command, capture_output=True, timeout=timeout)
    except OSError as error:
        return command, [], [f"source: cannot run {journalctl} ({error.strerror}): is this a systemd host?"]
    except subprocess.TimeoutExpired:
        return command, [], [f"source: {journalctl} did not answer within {timeout} s"]
    stderr = result.stderr.decode("utf-8", errors="replace")
    if any(sign in stderr for sign in _DENIED):
        return command, [], [f"source: cannot read the journal: permission denied. {_PERMISSION_FIX}"]
    entries = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    events = [(event[0], event[1]) for entry in entries for event in entry_events(entry, stream.message_format, None)]
    problems = [] if entries else [f"source: no journal entry matches ({' '.join(command[5:]) or 'the whole journal'})"]
    if result.returncode != 0 and not entries:
        problems = [f"source: {journalctl} failed: {stderr.strip().splitlines()[0] if stderr.strip() else result.returncode}"]
    return command, events, problems


def count_matching(stream, journalctl="journalctl", seconds=10.0):
    """(how many entries match the section's filters now, whether that is all of them): counted
    for at most ``seconds`` (a large journal: "at least")."""
    command = journalctl_command(stream, ("head",), journalctl, follow=False) + ["--output-fields=__CURSOR"]
    try:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL)
    except OSError:
        return 0, False
    count, deadline = 0, time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            chunk = process.stdout.read1(1 << 20)
            if not chunk:
                return count, True
            count += chunk.count(b"\n")
        return count, False
    finally:
        process.kill()
        process.wait()


def journal_gap(stream, position, journalctl="journalctl", timeout=30):
    """A sentence naming the time span that may be missing when the journal no longer holds the
    entry at ``position`` (vacuumed while the agent was down), else None. It looks without the
    section's filters, so a filter changed since is not taken for a gap."""
    command = [journalctl, "-o", "json", "--no-pager", "--cursor", position[0]]
    if stream.journal_directory:
        command += ["--directory", stream.journal_directory]
    try:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL)
    except OSError:
        return None
    try:
        first = process.stdout.readline()
    finally:
        process.kill()
        process.wait(timeout)
    try:
        entry = json.loads(first)
    except ValueError:
        entry = None
    if entry is not None and entry.get("__CURSOR") == position[0]:
        return None
    since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(position[1] / 1e6))
    until = ("the oldest entry it holds, of " + time.strftime("%Y-%m-%dT%H:%M:%SZ",
             time.gmtime(int(entry["__REALTIME_TIMESTAMP"]) / 1e6))) if entry else "now"
    return (f"the journal no longer holds the last entry sent (of {since}): it was vacuumed while the "
            f"agent was down; entries from {since} to {until} may be missing")
