"""Which route each journal entry takes (its log group and stream, with {unit} or {identifier} in
the names), and where each route had got to before a restart, so what it sent is not sent again."""
from awscli_cwlogs.sources.journal.entries import JournalRoute, Watermark, at_or_before, route_values

ROUTES_CACHED = 10_000


class Routes:
    """``used``: the per-entry placeholders the names use; ``static``: the one route when they use
    none. ``by_field``: the value of the field that decides the route (the unit, or the identifier;
    none with both) -> JournalRoute. ``done``: key -> (cursor, time) each route had sent, as saved;
    ``watermark`` (with ``used``): where a restart of the whole section starts, after ``read``."""

    def __init__(self, stream, done, read):
        self.used = [name for name in ("unit", "identifier")
                     if "{%s}" % name in stream.log_group_name + stream.log_stream_name]
        self.field = {("unit",): "_SYSTEMD_UNIT", ("identifier",): "SYSLOG_IDENTIFIER"}.get(tuple(self.used))
        self.by_field = {}
        self.static = None if self.used else JournalRoute({})
        self.watermark = Watermark(read) if self.used else None
        self.done = done
        self._by_values = {}  # its placeholders' values -> JournalRoute

    def route_of(self, entry):
        """The entry's route; cached by the one field that decides it when that field is there
        (JournaldSource looks there first)."""
        decides = entry.get(self.field) if self.field else None
        if type(decides) is not str or not decides:  # noqa: E721 (absent, or a field set twice: a list)
            decides = None
        values = route_values(entry, self.used)
        route = self._by_values.get(tuple(values.items()))
        if route is None:
            if len(self._by_values) >= ROUTES_CACHED:  # transient units (session-N.scope) come and go
                self.by_field.clear()
                self._by_values.clear()
            route = self._by_values[tuple(values.items())] = JournalRoute(values, self.watermark)
        if decides is not None:
            self.by_field[decides] = route
        return route

    def already_sent(self, key, position):
        """Whether the route of ``key`` had sent the entry at ``position`` before the restart."""
        done = self.done.get(key)
        if done is None:
            return False
        if at_or_before(position, done):
            return True
        del self.done[key]  # entries come in journal order: the rest of this route is new
        return False

    def keys(self):
        return {route.key for route in self._by_values.values()} | set(self.done)
