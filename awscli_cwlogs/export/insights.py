"""Logs Insights from the command line: a query started, its results polled with backoff until it
ends (and stopped on Ctrl-C), and ``--all``: a window whose rows hit the service's cap split in
halves until each part is under it, the parts merged in order with nothing twice."""
import re
import time
from dataclasses import dataclass, field

from awscli_cwlogs.cli import CommandError
from awscli_cwlogs.limits import MAX_QUERY_ROWS

ENDED = ("Complete", "Failed", "Cancelled", "Timeout", "Unknown")
FIRST_POLL_S, MOST_POLL_S = 0.25, 2.0  # waits between GetQueryResults: x1.5 each time
_SORT = re.compile(r"\|\s*sort\s+@timestamp(?:\s+(asc|desc))?\s*(?:\||$)", re.IGNORECASE)
_LIMIT = re.compile(r"\|\s*limit\s+\d+", re.IGNORECASE)
_STATS = re.compile(r"(^|\|)\s*stats\s", re.IGNORECASE)


@dataclass
class Statistics:
    records_matched: float = 0
    records_scanned: float = 0
    bytes_scanned: float = 0

    def add(self, other):
        self.records_matched += other.records_matched
        self.records_scanned += other.records_scanned
        self.bytes_scanned += other.bytes_scanned


@dataclass
class Result:
    rows: list  # each a list of (field, value)
    statistics: Statistics = field(default_factory=Statistics)
    parts: int = 1
    crowded: list = field(default_factory=list)  # seconds that alone hold more rows than the cap


class QueryRunner:
    """Runs one query over ``groups`` in a window of epoch seconds, both ends inclusive (as
    StartQuery takes them). ``on_progress(statistics, elapsed)`` is called after each poll;
    ``stop(query_id)`` on Ctrl-C (with a client that does not retry: the person is waiting)."""

    def __init__(self, client, groups, query, on_progress=lambda statistics, elapsed: None, stop=None,
                 sleep=time.sleep, clock=time.monotonic):
        self._client, self._groups, self._query = client, list(groups), query
        self._stop_query = stop or (lambda query_id: client.stop_query(queryId=query_id))
        self._on_progress, self._sleep, self._clock = on_progress, sleep, clock
        self.started = clock()
        self.done = Statistics()  # of the parts finished, for the progress line

    def run(self, start_s, end_s):
        query_id = self._client.start_query(logGroupNames=self._groups, queryString=self._query,
                                            startTime=start_s, endTime=end_s)["queryId"]
        try:
            return self._wait(query_id)
        except KeyboardInterrupt:
            self._stop(query_id)
            raise

    def _wait(self, query_id):
        pause = FIRST_POLL_S
        while True:
            answer = self._client.get_query_results(queryId=query_id)
            statistics = _statistics(answer.get("statistics") or {})
            running = Statistics(**vars(self.done))
            running.add(statistics)
            self._on_progress(running, self._clock() - self.started)
            status = answer.get("status")
            if status in ENDED:
                if status != "Complete":
                    raise CommandError(f"the query ended {status}")
                self.done.add(statistics)
                rows = [[(item["field"], item.get("value", "")) for item in row] for row in answer.get("results", [])]
                return Result(rows, statistics)
            self._sleep(pause)
            pause = min(pause * 1.5, MOST_POLL_S)

    def _stop(self, query_id):
        try:
            self._stop_query(query_id)
        except Exception:  # stopping is a courtesy to the account's concurrent-query quota
            pass


def check_for_all(query):
    """Why ``--all`` cannot take this query (None if it can), and whether it sorts oldest first."""
    if _STATS.search(query):
        return "--all needs a query that returns log events, not stats (their rows have no @ptr to merge by)", False
    if _LIMIT.search(query):
        return "--all returns every row: leave limit out of the query", False
    sort = _SORT.search(query)
    if sort is None and re.search(r"\|\s*sort\s", query, re.IGNORECASE):
        return "--all merges parts by time: sort by @timestamp (asc or desc), or leave sort out", False
    return None, bool(sort and (sort.group(1) or "").lower() == "asc")


def run_all(runner, start_s, end_s, oldest_first):
    """Every row of the window. A part whose rows hit the cap is split in two that share their
    middle second (so none is lost whether the service counts an end second whole or not; the
    rows of both are kept once, by @ptr), down to two seconds; the parts in the query's order."""
    parts, total, crowded = [], Statistics(), []
    pending = [(start_s, end_s)]  # a stack: the next part in order on top
    while pending:
        low, high = pending.pop()
        result = runner.run(low, high)
        total.add(result.statistics)
        if len(result.rows) >= MAX_QUERY_ROWS and high - low >= 2:
            middle = (low + high) // 2
            first, second = (low, middle), (middle, high)
            pending += [second, first] if oldest_first else [first, second]
            continue
        if len(result.rows) >= MAX_QUERY_ROWS:
            crowded.append(low)
        parts.append(result.rows)
    return Result(_once(parts), total, len(parts), crowded)


def _once(parts):
    seen, rows = set(), []
    for part in parts:
        for row in part:
            pointer = dict(row).get("@ptr")
            if pointer is None or pointer not in seen:
                seen.add(pointer)
                rows.append(row)
    return rows


def _statistics(answer):
    return Statistics(answer.get("recordsMatched", 0), answer.get("recordsScanned", 0), answer.get("bytesScanned", 0))
