"""Searching many log groups at once: which groups (names, a name prefix, a pattern; looked up
again while following, so a group created meanwhile joins), and their events merged in time order,
each with its group's name."""
import heapq
import itertools
import time

from awscli_cwlogs.cli import UsageError

REFRESH_GROUPS_S = 30  # while following a prefix or pattern, the groups are listed again this often at most ...
REFRESH_DELAYS = 20  # ... or every this many --pull-delay, if that is sooner (but not under 1 s)
QUIET_FACTOR = 8  # a group with nothing new waits --pull-delay, doubling up to this many times it
PAGE = 1000  # events per page of the merged output


class GroupSource:
    """The groups a command reads: fixed names, or those DescribeLogGroups lists for a prefix or pattern."""

    def __init__(self, client, names=None, prefix=None, pattern=None, delay=1.0, clock=time.monotonic):
        self._client, self._names, self._clock = client, list(names or ()), clock
        self._query = {"logGroupNamePrefix": prefix} if prefix else {"logGroupNamePattern": pattern} if pattern \
            else None
        self._none = f"no log group starts with {prefix!r}" if prefix else f"no log group name contains {pattern!r}"
        self._refresh = max(min(REFRESH_GROUPS_S, REFRESH_DELAYS * delay), 1.0)
        self._listed_at = None

    @property
    def fixed(self):
        return self._query is None

    def current(self):
        """The groups now; ``UsageError`` if a prefix or pattern matches none at the first look."""
        if self.fixed:
            return self._names
        if self._listed_at is None or self._clock() - self._listed_at >= self._refresh:
            pages = self._client.get_paginator("describe_log_groups").paginate(**self._query)
            self._names = [group["logGroupName"] for page in pages for group in page.get("logGroups", [])]
            if self._listed_at is None and not self._names:
                raise UsageError(self._none)
            self._listed_at = self._clock()
        return self._names


def merged_pages(events_by_group):
    """Pages of the events of every group (each group's in time order), merged in time order,
    each event with its ``logGroupName``."""
    streams = [_named(group, events) for group, events in events_by_group.items()]
    merged = heapq.merge(*streams, key=lambda event: event["timestamp"])
    while True:
        page = list(itertools.islice(merged, PAGE))
        if not page:
            return
        yield page


def _named(group, events):
    for event in events:
        event["logGroupName"] = group
        yield event


def flattened(pages):
    for events in pages:
        yield from events


class Pace:
    """When each followed group is polled next: at once while it has new events, then after
    ``delay``, doubling up to QUIET_FACTOR times it while it stays quiet."""

    def __init__(self, delay, clock=time.monotonic):
        self._delay, self._clock = delay, clock
        self._next, self._wait = {}, {}

    def due(self, groups):
        now = self._clock()
        return [group for group in groups if self._next.get(group, 0) <= now]

    def polled(self, group, found):
        wait = 0 if found else min(max(self._wait.get(group, 0) * 2, self._delay), self._delay * QUIET_FACTOR)
        self._wait[group] = wait
        self._next[group] = self._clock() + wait

    def pause(self, groups):
        """Seconds until the next group is due (0 if one is)."""
        now = self._clock()
        return max(min((self._next.get(group, 0) for group in groups), default=self._delay) - now, 0)
