"""A section whose records pick their destination ({json:service} in its names): its events are
grouped by destination, and each destination's batches record their own position in the file beside
the file's watermark (cloudwatch/recordroutes.py), so batches stay full however the services'
lines interleave, and a restart sends nothing twice."""
from awscli_cwlogs.cloudwatch.recordroutes import routed_key


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
        groups = {}  # destination -> (the position before its first event here, its events)
        for event, destination in zip(events, self._router.record_destinations(values, events, records)):
            group = groups.get(destination)
            if group is None:
                group = groups[destination] = (previous, [])
            group[1].append(event)
            if event[3] is not None:
                previous = event[3]
        for destination, (start, run) in groups.items():
            if key is None:  # stdin: no state
                full += self._batcher(destination).add(run, None, source, marked)
                continue
            run = self._routes.unsent(key, destination, run)
            if not run:
                continue
            self._routes.read(key, destination, start, run[-1][3])
            full += self._batcher(destination).add(run, routed_key(key, destination),
                                                   self._routes.origin(key, source, destination), marked)
        self._ends[key] = previous
        return full

    def passed(self, key, end):
        """Events of ``key`` up to ``end`` that the section's filters left out."""
        if key is not None and end is not None:
            self._routes.passed(key, end)
            self._ends[key] = end
