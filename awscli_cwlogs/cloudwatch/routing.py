"""Which log group and stream each event goes to, when a section's names use {file_name}
(the base name of the file being read), {unit} or {identifier} (of a journal entry) or {date}
(UTC day of the event's timestamp). ``values`` maps those placeholders to an origin's values."""
import logging
import time

from awscli_cwlogs.config.names import expand, has_per_file_placeholders

LOG = logging.getLogger("awscli_cwlogs")

DAY_MS = 86_400_000


class Router:
    """``per_origin``: the names may differ between origins whatever the templates say (a
    container may name its own group and stream: ``group_override``/``stream_override`` values).
    ``record_defaults``: the {json:...} placeholders the names use, each with its default;
    ``max_destinations``: how many destinations their values may open, after which events go
    to the names made of the defaults."""

    def __init__(self, group_template, stream_template, per_origin=False, record_defaults=None,
                 max_destinations=100, section=""):
        self._templates = (group_template, stream_template)
        per_origin = per_origin or any(map(has_per_file_placeholders, self._templates))
        self.static = None if per_origin else self._templates
        self._by_date = any("{date}" in t for t in self._templates)
        self._days = {}  # day number -> "YYYY-MM-DD"
        self._names = {}  # (values, date) -> (group, stream)
        self.per_record = bool(record_defaults)
        self._record_defaults = record_defaults or {}
        self._max, self._section = max_destinations, section
        self._opened, self._opened_day = set(), None  # destinations the records' values opened, that day
        self.overflowed = set()  # destinations refused because of max_destinations: their events went to the defaults

    def runs(self, values, events):
        """[(destination, events)]: consecutive events that go to the same group and stream."""
        if self.static is not None:
            return [(self.static, events)] if events else []
        if not self._by_date:
            return [(self.destination(values, 0), events)] if events else []
        runs, current, day = [], None, None
        for event in events:
            if event[0] // DAY_MS != day:
                day = event[0] // DAY_MS
                destination = self.destination(values, event[0])
                if current is None or destination != current[0]:
                    current = (destination, [])
                    runs.append(current)
            current[1].append(event)
        return runs

    def record_destination(self, values, own, timestamp):
        """(group, stream) of an event at ``timestamp`` whose record's {json:...} values are
        ``own`` (a tuple, in the order of record_defaults), ``values`` the origin's; an event
        past max_destinations goes to the names made of the defaults."""
        destination = self.destination({**values, **dict(zip(self._record_defaults, own))}, timestamp)
        if destination not in self._opened:
            destination = self._open(destination, values, timestamp, timestamp // DAY_MS)
        return destination

    @property
    def by_date(self):
        """Whether the names hold {date}: an event's destination depends on its day."""
        return self._by_date

    def _open(self, destination, values, timestamp, day):
        """The destination, unless the day's max_destinations are open already: then the names
        made of the defaults."""
        if day != self._opened_day:  # the bound is per (UTC) day of the events: {date} names roll
            self._opened, self._opened_day = set(), day
        if destination in self._opened or len(self._opened) < self._max:
            self._opened.add(destination)
            return destination
        fallback = self.destination({**values, **self._record_defaults}, timestamp)
        if not self.overflowed:
            LOG.warning("[%s] more than max_destinations = %d log streams from the records' fields; events "
                        "for more go to log group %s, log stream %s", self._section, self._max, *fallback)
        self.overflowed.add(destination)
        self._opened.add(fallback)
        return fallback

    def destination(self, values, timestamp):
        date = self._date(timestamp // DAY_MS) if self._by_date else ""
        cache_key = (tuple(values.items()), date)
        names = self._names.get(cache_key)
        if names is None:
            if len(self._names) > 10_000:
                self._names.clear()
            templates = (values.get("group_override", self._templates[0]),
                         values.get("stream_override", self._templates[1]))
            names = self._names[cache_key] = tuple(expand(t, values, date) for t in templates)
        return names

    def _date(self, day):
        text = self._days.get(day)
        if text is None:
            text = self._days[day] = time.strftime("%Y-%m-%d", time.gmtime(day * 86_400))
        return text
