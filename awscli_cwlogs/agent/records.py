"""A section whose records pick their destination ({json:service} in its names): its events are
grouped by destination, and each destination's batches record their own position in the file beside
the file's watermark (cloudwatch/recordroutes.py), so batches stay full however the services'
lines interleave, and a restart sends nothing twice."""
from awscli_cwlogs.cloudwatch.recordroutes import routed_key
from awscli_cwlogs.cloudwatch.routing import DAY_MS


class RecordDispatch:
    """``router``: the section's Router (per_record); ``routes``: its RecordRoutes; ``batcher``:
    destination -> its Batcher."""

    def __init__(self, router, routes, batcher):
        self._router, self._routes, self._batcher = router, routes, batcher
        self._ends = {}  # file key -> the end of its last event seen

    def add(self, key, source, events, records, marked, values):
        """The batches filled by ``events`` of one file (``records``: each one's {json:...}
        values): each destination's events, in order, added at once."""
        full = []
        previous = self._ends.get(key)
        if previous is None:  # the file's first events: where its reading began is before them
            previous = getattr(source, "began_at", 0)
        for destination, (start, run) in self._groups(events, records, values, previous).items():
            if key is None:  # stdin: no state
                full += self._batcher(destination).add(run, None, source, marked)
                continue
            run = self._routes.unsent(key, destination, run)
            if not run:
                continue
            self._routes.read(key, destination, start, run[-1][3])
            full += self._batcher(destination).add(run, routed_key(key, destination),
                                                   self._routes.origin(key, source, destination), marked)
        if events:
            self._ends[key] = next((event[3] for event in reversed(events) if event[3] is not None), previous)
        return full

    def _groups(self, events, records, values, previous):
        """{destination: (the position before its first event here, its events in order)}."""
        router, by_date = self._router, self._router.by_date
        destination_of = {}  # record values (and day) -> destination
        groups = {}
        for event, own in zip(events, records):
            known = (own, event[0] // DAY_MS) if by_date else own
            destination = destination_of.get(known)
            if destination is None:
                destination = destination_of[known] = router.record_destination(values, own, event[0])
            group = groups.get(destination)
            if group is None:
                group = groups[destination] = (previous, [])
            group[1].append(event)
            previous = event[3] or previous
        return groups

    def passed(self, key, end):
        """Events of ``key`` up to ``end`` that the section's filters left out."""
        if key is not None and end is not None:
            self._routes.passed(key, end)
            self._ends[key] = end

