"""``--live``: following log groups with StartLiveTail sessions instead of polling.

A session shows what is ingested while it is open, for at most three hours, and the service may
end it sooner. So a session is renewed before the three hours, and again whenever it ends; what
was ingested between two sessions (and during a new session's first seconds) is found with one
FilterLogEvents search. Events the search and the sessions both see are printed once (Printed).
"""
import itertools
import time

from botocore.exceptions import BotoCoreError, ClientError, EventStreamError

from awscli_cwlogs.cli import error_code

GROUP_LIMIT = 10  # StartLiveTail's logGroupIdentifiers
RENEW_AFTER_S = 170 * 60  # the service ends a session after 3 hours; renew before
FILL_AFTER_S = 2.0  # a session's gap is searched for this long after it opens (its events wait meanwhile)
GAP_MARGIN_MS = 5_000  # the search covers ingestion from this long before the last session's last update
LATE_MS = 600_000  # ... of events whose timestamps are up to this much older than that
KEEP_MS = 60_000  # printed events are remembered (to print once) this long after their ingestion
QUICK_END_S = 10  # a session that ends sooner is reopened after a pause, doubling up to MAX_PAUSE_S
MAX_PAUSE_S = 30
CALM_S = 5  # sampling is over once no update was sampled for this long
RENEWED = {"SessionTimeoutException", "SessionStreamingException"}  # the session ends; a new one is opened
UNAVAILABLE = {"UnknownOperationException", "InvalidAction", "UnsupportedOperation", "NotImplemented"}
SAMPLED_WARNING = ("live tail: more than 500 events a second match, so the service shows a sample of them; "
                   "narrow --filter-pattern, or follow without --live to see every event")
UNSAMPLED_NOTICE = "live tail: every event is shown again"


class LiveUnavailable(Exception):
    """The endpoint does not offer StartLiveTail."""


def session_request(arns, request):
    """StartLiveTail's arguments for these group ARNs and a FilterLogEvents-style ``request``."""
    live = {"logGroupIdentifiers": list(arns)}
    for search_key, live_key in (("filterPattern", "logEventFilterPattern"), ("logStreamNames", "logStreamNames")):
        if request.get(search_key):
            live[live_key] = request[search_key]
    if request.get("logStreamNamePrefix"):
        live["logStreamNamePrefixes"] = [request["logStreamNamePrefix"]]
    return live


class LiveSession:
    """One StartLiveTail session: ``updates()`` yields (sampled, events) about once a second
    until the session ends, however it ends (timeout, a stream error, a dead connection)."""

    def __init__(self, client, request, names_by_arn, first=False):
        self.names_by_arn = names_by_arn
        try:
            self._stream = client.start_live_tail(**request)["responseStream"]
        except ClientError as error:
            status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if first and (error_code(error) in UNAVAILABLE or status in (404, 405, 501)):
                raise LiveUnavailable(f"{error_code(error)} (HTTP {status})") from None
            raise

    def updates(self):
        try:
            for message in self._stream:
                update = message.get("sessionUpdate")
                if update is not None:
                    yield (update.get("sessionMetadata", {}).get("sampled", False),
                           [self._event(event) for event in update.get("sessionResults", [])])
        except EventStreamError as error:
            if error_code(error) not in RENEWED:
                raise
        except (BotoCoreError, OSError, ValueError):
            return  # a read timeout, a dropped connection: renewed

    def _event(self, event):
        group = event.get("logGroupIdentifier", "")
        return {"logGroupName": self.names_by_arn.get(group, group.rpartition(":log-group:")[2] or group),
                "logStreamName": event.get("logStreamName", ""), "timestamp": event["timestamp"],
                "message": event["message"], "ingestionTime": event.get("ingestionTime")}

    def close(self):
        try:
            self._stream.close()
        except (BotoCoreError, OSError):
            pass


class Printed:
    """Which events were printed, so that an event the sessions and searches all show is printed
    once. Each source (a session, a search) shows an event at most as many times as it happened,
    so an event is printed as many times as the source that showed it most often."""

    def __init__(self):
        self._seen = {}  # key -> [times printed, ingestion time, {source: times shown}]
        self.horizon = 0
        self.not_before = 0  # events stamped before this are not shown (--start-time)

    def new(self, source, events, horizon=None, remember_from=None):
        """The events not printed yet, in their order; those ingested before ``horizon`` (or
        what is remembered) are left out: an earlier source covered that time. Those ingested
        before ``remember_from`` are printed without being remembered: no later source shows them."""
        horizon = max(self.horizon, horizon or 0)
        fresh = []
        for event in events:
            ingested = event.get("ingestionTime") or event["timestamp"]
            if ingested < horizon or event["timestamp"] < self.not_before:
                continue
            if remember_from is not None and ingested < remember_from:
                fresh.append(event)
                continue
            key = (event["logGroupName"], event["logStreamName"], event["timestamp"], event["message"])
            seen = self._seen.setdefault(key, [0, ingested, {}])
            shown = seen[2][source] = seen[2].get(source, 0) + 1
            if shown > seen[0]:
                seen[0] = shown
                fresh.append(event)
        return fresh

    def forget(self, before_ms):
        self.horizon = before_ms
        self._seen = {key: seen for key, seen in self._seen.items() if seen[1] >= before_ms}


class LiveTail:
    """Pages of events from successive sessions, each gap filled by ``search(start_ms,
    ingested_from_ms)``: pages of FilterLogEvents over the groups (ingested_from None: all).
    ``open_session(first)`` returns a LiveSession; ``warn(line)`` tells the person watching;
    ``changed()`` says the groups are no longer the session's (a new one joined): it is renewed."""

    def __init__(self, open_session, search, warn, changed=lambda: False, clock=time.time, sleep=time.sleep):
        self._open, self._search, self._warn, self._changed = open_session, search, warn, changed
        self._clock, self._sleep = clock, sleep
        self._printed, self._sources = Printed(), itertools.count()
        self._sampling, self._sampled_at = False, 0
        self.sessions = 0

    def _now_ms(self):
        return int(self._clock() * 1000)

    def pages(self, history_start=None):
        """Opens the first session at once (LiveUnavailable: the endpoint has no live tail), then
        returns the pages; with ``history_start``, the events since then come first, and none before."""
        session = self._open(first=True)
        if history_start is None:
            return self._pages(session, None)
        session.close()  # the service drops what a session holds unread for long: open it after the history
        return self._history_then_live(history_start)

    def _history_then_live(self, start):
        began = self._now_ms() - GAP_MARGIN_MS
        self._printed.not_before = start
        source = next(self._sources)
        for found in self._search(start, None):
            page = self._printed.new(source, found, remember_from=began)
            if page:
                yield page
        yield from self._pages(self._open(first=False), (max(start, began - LATE_MS), began))

    def _pages(self, session, gap):
        pause = 0
        while True:
            self.sessions += 1
            opened = self._now_ms()
            horizon = None if gap else opened - GAP_MARGIN_MS
            last_alive = yield from self._read(session, opened, gap, horizon)
            gap = (last_alive - GAP_MARGIN_MS - LATE_MS, last_alive - GAP_MARGIN_MS)
            self._printed.forget(min(self._now_ms() - KEEP_MS, gap[1]))  # not what the gap's search may find
            lasted = (self._now_ms() - opened) / 1000
            pause = 0 if lasted >= QUICK_END_S else min(max(pause * 2, 1), MAX_PAUSE_S)
            self._sleep(pause)
            session = self._open(first=False)

    def _read(self, session, opened, gap, horizon):
        """Yields the session's pages (after the gap's, if any); returns when its last update came."""
        source, waiting, last_alive = next(self._sources), [], opened
        for sampled, events in session.updates():
            last_alive = self._now_ms()
            self._note_sampling(sampled, last_alive)
            if gap is not None:
                waiting += events
                if last_alive < opened + FILL_AFTER_S * 1000:
                    continue
                yield from self._fill(gap)
                gap, events, waiting = None, waiting, []
            page = self._printed.new(source, sorted(events, key=_timestamp), horizon)
            if page:
                yield page
            if last_alive - self._printed.horizon >= 2 * KEEP_MS:
                self._printed.forget(last_alive - KEEP_MS)  # a long session: remember only what a search may repeat
            if last_alive >= opened + RENEW_AFTER_S * 1000 or self._changed():
                session.close()
                break
        if gap is not None:  # ended before its gap was searched
            yield from self._fill(gap)
            page = self._printed.new(source, sorted(waiting, key=_timestamp), horizon)
            if page:
                yield page
        return last_alive

    def _fill(self, gap):
        start, ingested_from = gap
        source = next(self._sources)
        for found in self._search(max(start, self._printed.not_before), ingested_from):
            page = self._printed.new(source, found)
            if page:
                yield page

    def _note_sampling(self, sampled, now_ms):
        if sampled:
            self._sampled_at = now_ms
            if not self._sampling:
                self._sampling = True
                self._warn(SAMPLED_WARNING)
        elif self._sampling and now_ms - self._sampled_at >= CALM_S * 1000:
            self._sampling = False
            self._warn(UNSAMPLED_NOTICE)


def _timestamp(event):
    return event["timestamp"]
