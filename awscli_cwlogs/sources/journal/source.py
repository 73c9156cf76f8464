"""The systemd journal, read through libsystemd in-process (inprocess.py) or a journalctl child
(child.py): both hand over entries shaped as journalctl's JSON ones. A position is the entry's
cursor and its time; the agent saves it only after CloudWatch Logs accepted the entry, and a
restart starts at that cursor (inclusive, dropping that one entry: --after-cursor with a match can
skip an entry before systemd 255), so nothing is lost and nothing is sent twice."""
import logging
import time

from awscli_cwlogs.lines.events import LineFormat, event_spec
from awscli_cwlogs.sources.journal.entries import FORMATTERS, Watermark, earliest, message_events
from awscli_cwlogs.sources.journal.routes import Routes
from awscli_cwlogs.sources.journal.running import ReaderRun

LOG = logging.getLogger("awscli_cwlogs")
KEY = Watermark.key  # the state file's key of a section's position (its only route's, or its Watermark)


def saved_positions(saved):
    """The journal's rows among a stream's saved Positions: key -> (cursor, time in µs), one per
    route, and with {unit}/{identifier} the section's Watermark under KEY."""
    return {key: (p.path, p.offset) for key, p in saved.items() if key[0].startswith(KEY[0])}


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
        done = saved_positions(saved)
        self._read = restart_position(done)  # the last entry read
        self._routes = Routes(stream, done, self._read)
        self._initial = "head" if has_state or stream.initial_position == "start_of_file" else "tail"
        self._format = FORMATTERS[stream.options.message_format]
        self.spec = event_spec(LineFormat(), stream.batch_size, stream.record)  # its limit: an entry is an event, or its parts
        self._limit = self.spec.max_message_bytes
        self._last = {}  # route key -> the position of its last entry read
        self._run = ReaderRun(stream, journalctl, clock)
        self._skip = None  # the cursor journalctl restarts at, already read: dropped when it comes first
        self._started = False
        self.busy = False

    @property
    def wake(self):
        return self._run.wake

    @wake.setter
    def wake(self, wake):
        """The agent sets it: wakes its idle loop when entries arrive."""
        self._run.wake = wake
        if self._run.reader is not None:
            self._run.reader.wake = wake

    def keys(self):
        return self._routes.keys() | {KEY}

    def flush_pending(self):
        return []  # an entry is complete when journalctl prints it

    def poll(self, budget):
        self.busy = False
        run = self._run
        if not run.running and not self._start():
            return []
        entries, ended = run.reader.take(budget)
        entries = run.unfinished.pass_on(entries)
        if ended:
            run.unfinished.drop()
        found = self._events(entries) if entries else []
        if ended:
            run.ended()
        elif entries:
            self.busy = run.reader.backlog()
        else:
            run.idle()
        return found

    def _events(self, entries):
        """The events of the reader's ``entries`` as (route key, route, events), one item per
        route (each route's events in journal order: routes are sent and saved independently);
        the one loop over every entry, so kept to the common case."""
        runs, routes = {}, self._routes  # route -> its events
        route, by_field, field, done = routes.static, routes.by_field, routes.field, routes.done
        text, limit, used, read = self._format, self._limit, routes.used, None
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
                    route = by_field[entry.get(field)]
                except (KeyError, TypeError):
                    route = routes.route_of(entry)
            if done and routes.already_sent(route.key, position):
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
            self._add_long(runs, route, message, position)
        return self._found(runs, read)

    def _add_long(self, runs, route, message, position):
        """An entry whose message is not plain ASCII under the limit: its event, or its parts."""
        events = runs.setdefault(route, [])
        previous = events[-1][3] if events else self._last.get(route.key)
        entry_events = message_events(message, position, previous, self._limit)
        if len(entry_events) > 1:
            self.spec.counts["split"] = self.spec.counts.get("split", 0) + 1
        events += entry_events

    def _found(self, runs, read):
        """[(route key, route, events)] of the routes with events; the last entry ``read`` noted."""
        if read is not None:
            self._read = read
        for route, events in runs.items():
            if events:
                self._last[route.key] = events[-1][3]
        found = [(route.key, route, events) for route, events in runs.items() if events]
        if self._routes.watermark is not None and self._read is not None:
            self._routes.watermark.read({key: (next(e[3] for e in events if e[3] is not None), events[-1][3])
                                         for key, _, events in found}, self._read)
        if found:
            self._run.delivered()
        return found

    def _start(self):
        if not self._run.opened():
            return False
        start = ("cursor", self._read[0]) if self._read else (self._initial,)
        if self._started:
            self._skip = self._read[0] if self._read else None  # the reader's restart: that entry was read
        elif self._read:
            self._run.warn_if_vacuumed(self._read)  # the agent's start: what was sent is dropped per route
        self._started = True
        return self._run.start(start)

    def close(self):
        self._run.close()
