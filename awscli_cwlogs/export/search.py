"""The FilterLogEvents engine behind ``filter`` (and ``pull`` over groups): one search paged to its
end, a search followed from the newest timestamp it has shown, and many groups merged in time order."""
import heapq
import itertools
import time

from botocore.exceptions import ClientError

from awscli_cwlogs.cli import error_code
from awscli_cwlogs.export.common import before
from awscli_cwlogs.export.groups import Pace, flattened, merged_pages

HELD_MS = 1000  # following several groups: an event waits until every group was searched this long after it


def iter_filter_pages(client, request, end=None):
    """Yields the pages of one FilterLogEvents search, following nextToken until it is absent."""
    request = dict(request)
    while True:
        page = client.filter_log_events(**request)
        yield before(end, page.get("events", []))
        token = page.get("nextToken")
        if not token:
            return
        request["nextToken"] = token


class NewEvents:
    """Between polls of a followed search, remembers the IDs of the events at the newest
    timestamp seen; the next poll starts at that timestamp and drops the IDs it already
    printed, so no event is printed twice and none with that timestamp is missed."""

    def __init__(self):
        self.newest = None
        self._ids_at_newest = set()

    def only_new(self, pages):
        printed = self._ids_at_newest
        newest, ids = self.newest, set(printed)
        for events in pages:
            yield [event for event in events if event["eventId"] not in printed]
            for event in events:
                timestamp = event["timestamp"]
                if newest is None or timestamp > newest:
                    newest, ids = timestamp, {event["eventId"]}
                elif timestamp == newest:
                    ids.add(event["eventId"])
        self.newest, self._ids_at_newest = newest, ids


def follow_filter_pages(client, request, end=None, delay=1.0, sleep=time.sleep, clock=time.time):
    """Repeats the search from the newest timestamp seen, forever or until ``end`` has passed."""
    window = NewEvents()
    request = dict(request)
    while True:
        found = 0
        for events in window.only_new(iter_filter_pages(client, request, end)):
            found += len(events)
            yield events
        if end is not None and clock() * 1000 >= end:
            return
        if window.newest is not None:
            request["startTime"] = window.newest
        if not found:
            sleep(delay)


def filter_groups(client, groups, request, end=None):
    """The events of several groups, merged in time order."""
    return merged_pages({group: flattened(iter_filter_pages(client, dict(request, logGroupName=group), end))
                         for group in groups})


def follow_groups(client, source, request, end=None, delay=1.0, sleep=time.sleep, clock=time.time):
    """Follows every group of ``source`` (new ones join at their next listing): each group is
    searched again from the newest timestamp it has shown, at its own pace (groups.Pace). An event
    is printed once every group has been searched past its time (less HELD_MS, for the service to
    have what was sent just before), so the output is in time order across groups."""
    windows, pace, held = {}, Pace(delay), HeldEvents()
    while True:
        groups = source.current()
        for group in pace.due(groups):
            window = windows.setdefault(group, NewEvents())
            group_request = dict(request, logGroupName=group)
            if window.newest is not None:
                group_request["startTime"] = window.newest
            searched_at = int(clock() * 1000)
            try:
                events = list(flattened(window.only_new(iter_filter_pages(client, group_request, end))))
            except ClientError as error:
                if source.fixed or error_code(error) != "ResourceNotFoundException":
                    raise
                events = []  # deleted since it was listed
            pace.polled(group, bool(events))
            held.add(group, events, searched_at)
        finished = end is not None and clock() * 1000 >= end
        yield held.ready(groups, everything=finished)
        if finished:
            return
        sleep(pace.pause(groups))


class HeldEvents:
    """Events found while following, held until every group has been searched past their time."""

    def __init__(self):
        self._events, self._searched_at, self._order = [], {}, itertools.count()

    def add(self, group, events, searched_at):
        self._searched_at[group] = searched_at
        for event in events:
            heapq.heappush(self._events, (event["timestamp"], next(self._order), dict(event, logGroupName=group)))

    def ready(self, groups, everything=False):
        """The held events before the time all ``groups`` have been searched to, oldest first."""
        until = min((self._searched_at.get(group, 0) for group in groups), default=0) - HELD_MS
        ready = []
        while self._events and (everything or self._events[0][0] < until):
            ready.append(heapq.heappop(self._events)[2])
        return ready
