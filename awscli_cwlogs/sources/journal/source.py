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
import select
import subprocess
import threading
import time

from awscli_cwlogs.agent.events import event_spec
from awscli_cwlogs.sources.journal.entries import (FORMATTERS, JournalRoute, Watermark, at_or_before, earliest,
                                                   message_events, route_values)
from awscli_cwlogs.sources.journal.journalctl import DENIED, PERMISSION_FIX, journal_gap, journalctl_command

LOG = logging.getLogger("awscli_cwlogs")
KEY = Watermark.key  # the state file's key of a section's position (its only route's, or its Watermark)
BACKOFF_S = (1, 2, 4, 8, 15, 30, 60)
PIPE_BYTES = 1 << 20  # journalctl's pipe, enlarged: fewer, larger reads
SETTLE_S = 0.02  # journalctl writes 4 KiB at a time: a pause before each read makes one large read of many
PIPE_CHUNKS = 4  # chunks of its output read ahead (up to PIPE_BYTES each): then journalctl waits
ROUTES_CACHED = 10_000
STDERR_CHECK_S = 1.0


def saved_positions(saved):
    """The journal's rows among a stream's saved Positions: key -> (cursor, time in µs), one per
    route, and with {unit}/{identifier} the section's Watermark under KEY."""
    return {key: (p.path, p.offset) for key, p in saved.items() if key[0].startswith(KEY[0])}


def restart_position(positions):
    """Where a restart starts, of such positions: the one under KEY (the only route, or the
    Watermark), else the earliest route's; None if nothing was saved."""
    return positions.get(KEY) or earliest(positions.values())


class JournaldSource:
    """One stream section's entries of the journal: a journalctl child, restarted (with backoff)
    from the last entry read when it exits. With {unit} or {identifier} in the names, each route
    keeps its own cursor, and a Watermark says where a restart starts; it drops, per route, what
    that route had sent."""

    exhausted = False

    def __init__(self, stream, saved, has_state, journalctl="journalctl", clock=time.monotonic):
        self.stream = stream
        self._journalctl = journalctl
        self._clock = clock
        self._used = [name for name in ("unit", "identifier")
                      if "{%s}" % name in stream.log_group_name + stream.log_stream_name]
        self._done = saved_positions(saved)
        self._read = restart_position(self._done)  # the last entry read
        self._watermark = Watermark(self._read) if self._used else None
        self._initial = "head" if has_state or stream.initial_position == "start_of_file" else "tail"
        self._routes = {}  # the value of the field that decides the route -> JournalRoute
        # {unit}: the unit decides when there is one; {identifier}: the identifier; both: no one field
        self._route_field = {("unit",): "_SYSTEMD_UNIT", ("identifier",): "SYSLOG_IDENTIFIER"}.get(tuple(self._used))
        self._by_values = {}  # its placeholders' values -> JournalRoute
        self._static = None if self._used else JournalRoute({})
        self._format = FORMATTERS[stream.message_format]
        self.spec = event_spec(stream)
        self._limit = self.spec.max_message_bytes
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
        return {route.key for route in self._by_values.values()} | set(self._done) | {KEY}

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

    def _events(self, data):
        """The events of journalctl's output ``data`` as (route key, route, events), one item per
        route (each route's events in journal order: routes are sent and saved independently);
        the one loop over every entry, so kept to the common case."""
        data = self._partial + data
        cut = data.rfind(b"\n") + 1
        self._partial = data[cut:]
        runs, route = {}, self._static  # route -> its events
        text, limit, used, done, read = self._format, self._limit, self._used, self._done, None
        routes, route_field = self._routes, self._route_field
        for entry in self._decode(data[:cut]):
            try:
                position = (entry["__CURSOR"], int(entry["__REALTIME_TIMESTAMP"]))
            except (KeyError, TypeError, ValueError):
                LOG.warning("[%s] journalctl printed an entry without cursor or time; skipped: %.200r",
                            self.stream.section, entry)
                continue
            if read is None and self._skip is not None:
                skip, self._skip = self._skip, None
                if position[0] == skip:
                    continue
            read = position
            if used:
                try:
                    route = routes[entry.get(route_field)]
                except (KeyError, TypeError):
                    route = self._route_of(entry)
            if done and self._already_sent(route.key, position):
                continue
            message = text(entry)
            events = runs.get(route)
            if message.isascii() and 0 < len(message) <= limit:
                event = (position[1] // 1000, message, len(message), position)
                if events is None:
                    runs[route] = [event]
                else:
                    events.append(event)
                continue
            previous = events[-1][3] if events else self._last.get(route.key)
            entry_events = message_events(message, position, previous, limit)
            if len(entry_events) > 1:
                self.spec.counts["split"] = self.spec.counts.get("split", 0) + 1
            if events is None:
                runs[route] = entry_events
            else:
                events += entry_events
        if read is not None:
            self._read = read
        for route, events in runs.items():
            if events:
                self._last[route.key] = events[-1][3]
        found = [(route.key, route, events) for route, events in runs.items() if events]
        if self._watermark is not None and self._read is not None:
            self._watermark.read({key: (next(e[3] for e in events if e[3] is not None), events[-1][3])
                                  for key, _, events in found}, self._read)
        if found:
            self._restarts = 0
        return found

    def _decode(self, data):
        """The entries of JSON lines; one decoder call for them all (half the cost of one per line)."""
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
                                    self.stream.section, line)
            return entries

    def _route_of(self, entry):
        """The entry's route (names with {unit} or {identifier}); cached by the one field that
        decides it when that field is there (the loop in _events looks there first)."""
        decides = entry.get(self._route_field) if self._route_field else None
        if type(decides) is not str or not decides:  # noqa: E721 (absent, or a field set twice: a list)
            decides = None
        values = route_values(entry, self._used)
        route = self._by_values.get(tuple(values.items()))
        if route is None:
            if len(self._by_values) >= ROUTES_CACHED:  # transient units (session-N.scope) come and go
                self._routes.clear()
                self._by_values.clear()
            route = self._by_values[tuple(values.items())] = JournalRoute(values, self._watermark)
        if decides is not None:
            self._routes[decides] = route
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
        if any(sign in text for sign in DENIED):
            self._report("denied", f"cannot read the journal: permission denied. {PERMISSION_FIX}")
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
                        self.stream.section, code, f" (if it may not read the journal: {PERMISSION_FIX})"
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
