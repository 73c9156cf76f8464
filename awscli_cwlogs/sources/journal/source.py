"""The systemd journal, read through libsystemd in-process (inprocess.py) or a journalctl child
(child.py): both hand over entries shaped as journalctl's JSON ones. A position is the entry's
cursor and its time; the agent saves it only after CloudWatch Logs accepted the entry, and a
restart starts at that cursor (inclusive, dropping that one entry: --after-cursor with a match can
skip an entry before systemd 255), so nothing is lost and nothing is sent twice."""
import logging
import time

from awscli_cwlogs.lines.events import event_spec
from awscli_cwlogs.sources.journal.child import JournalctlReader, ReaderProblem
from awscli_cwlogs.sources.journal.entries import (FORMATTERS, JournalRoute, Unfinished, Watermark, at_or_before,
                                                   earliest, message_events, route_values)
from awscli_cwlogs.sources.journal.inprocess import LibsystemdReader
from awscli_cwlogs.sources.journal.sdjournal import Unavailable

LOG = logging.getLogger("awscli_cwlogs")
KEY = Watermark.key  # the state file's key of a section's position (its only route's, or its Watermark)
BACKOFF_S = (1, 2, 4, 8, 15, 30, 60)
ROUTES_CACHED = 10_000
IDLE_CHECK_S = 1.0


def saved_positions(saved):
    """The journal's rows among a stream's saved Positions: key -> (cursor, time in µs), one per
    route, and with {unit}/{identifier} the section's Watermark under KEY."""
    return {key: (p.path, p.offset) for key, p in saved.items() if key[0].startswith(KEY[0])}


def open_reader(stream, journalctl="journalctl", wake=lambda: None):
    """The section's reader: journalctl, or with ``journal_reader = libsystemd`` or ``auto`` the
    in-process one; ``auto`` falls back to journalctl with one INFO line saying why when libsystemd
    cannot be loaded (``libsystemd``: an error, tried again)."""
    if stream.journal_reader != "journalctl":
        try:
            return LibsystemdReader(stream, wake)
        except Unavailable as why:
            if stream.journal_reader == "libsystemd":
                raise ReaderProblem("missing", f"journal_reader = libsystemd, but {why}. Will try again") from None
            LOG.info("[%s] reading the journal through journalctl: %s", stream.section, why)
    return JournalctlReader(stream, journalctl, wake)


def restart_position(positions):
    """Where a restart starts, of such positions: the one under KEY (the only route, or the
    Watermark), else the earliest route's; None if nothing was saved."""
    return positions.get(KEY) or earliest(positions.values())


class JournaldSource:
    """One stream section's entries of the journal, from its reader, restarted (with backoff)
    from the last entry read when it stops. With {unit} or {identifier} in the names, each route
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
        self._reader = self._unfinished = None
        self._running = False
        self._restarts = 0
        self._restart_at = 0.0
        self._reported = set()
        self._skip = None  # the cursor journalctl restarts at, already read: dropped when it comes first
        self._started = False
        self._check_at = 0.0
        self.busy = False
        self._wake = lambda: None

    @property
    def wake(self):
        return self._wake

    @wake.setter
    def wake(self, wake):
        """The agent sets it: wakes its idle loop when entries arrive."""
        self._wake = wake
        if self._reader is not None:
            self._reader.wake = wake

    def keys(self):
        return {route.key for route in self._by_values.values()} | set(self._done) | {KEY}

    def flush_pending(self):
        return []  # an entry is complete when journalctl prints it

    def poll(self, budget):
        self.busy = False
        if not self._running and not self._start():
            return []
        entries, ended = self._reader.take(budget)
        entries = self._unfinished.pass_on(entries)
        if ended:
            self._unfinished.drop()
        found = self._events(entries) if entries else []
        if ended:
            self._ended()
        elif entries:
            self.busy = self._reader.backlog()
        elif self._clock() >= self._check_at:
            self._check_at = self._clock() + IDLE_CHECK_S
            self._complaint(self._reader.idle())
        return found

    def _events(self, entries):
        """The events of the reader's ``entries`` as (route key, route, events), one item per
        route (each route's events in journal order: routes are sent and saved independently);
        the one loop over every entry, so kept to the common case."""
        runs, route = {}, self._static  # route -> its events
        text, limit, used, done, read = self._format, self._limit, self._used, self._done, None
        routes, route_field = self._routes, self._route_field
        for entry in entries:
            try:
                position = (entry["__CURSOR"], int(entry["__REALTIME_TIMESTAMP"]))
            except (KeyError, TypeError, ValueError):
                LOG.warning("[%s] the journal reader gave an entry without cursor or time; skipped: %.200r",
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
        if self._reader is None:
            try:
                self._reader = open_reader(self.stream, self._journalctl, self._wake)
            except ReaderProblem as problem:
                self._report(problem.kind, str(problem))
                self._back_off()
                return False
            self._unfinished = Unfinished(self._reader.entry_at, self._clock)
        start = ("cursor", self._read[0]) if self._read else (self._initial,)
        if self._started:
            self._skip = self._read[0] if self._read else None  # the reader's restart: that entry was read
        elif self._read:
            self._warn_if_vacuumed(self._read)  # the agent's start: what was sent is dropped per route
        self._started = True
        try:
            what = self._reader.start(start)
        except ReaderProblem as problem:
            self._report(problem.kind, str(problem))
            self._back_off()
            return False
        self._running = True
        LOG.info("[%s] reading the journal: %s", self.stream.section, what)
        return True

    def _warn_if_vacuumed(self, position):
        gap = self._reader.gap(position)
        if gap:
            LOG.warning("[%s] %s", self.stream.section, gap)

    def _complaint(self, problem):
        """A reader's complaint: a permission problem once as an ERROR, others as WARNINGs."""
        if problem is None:
            return
        kind, message = problem
        if kind == "denied":
            self._report("denied", message)
        else:
            LOG.warning("[%s] %s", self.stream.section, message)

    def _ended(self):
        self._running = False
        problem, message = self._reader.end(failed_before=self._restarts > 0)
        self._complaint(problem)
        if problem is None or problem[0] != "denied":
            LOG.warning("[%s] %s", self.stream.section, message)
        self._back_off()

    def _back_off(self):
        self._restart_at = self._clock() + BACKOFF_S[min(self._restarts, len(BACKOFF_S) - 1)]
        self._restarts += 1

    def _report(self, what, message):
        if what not in self._reported:
            self._reported.add(what)
            LOG.error("[%s] %s", self.stream.section, message)

    def close(self):
        if self._reader is not None:
            self._reader.close()
            self._unfinished.drop()  # a start after this reads them again
            self._running = False
