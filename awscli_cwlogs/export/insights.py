"""Logs Insights from the command line: a query started (in Logs Insights QL, OpenSearch SQL or
PPL), its results polled with backoff until it ends (and stopped on Ctrl-C), then taken page by
page; and ``--all``: a window whose rows reach what one query gives, continued from the second of
its last row (or split in halves, when the rows carry no @timestamp), the parts merged in order
with nothing twice."""
import re
import time
from dataclasses import dataclass, field

from awscli_cwlogs.cli import CommandError
from awscli_cwlogs.limits import MAX_QUERY_ROWS, QUERY_PAGE_ROWS
from awscli_cwlogs.timefmt import service_seconds

ENDED = ("Complete", "Failed", "Cancelled", "Timeout", "Unknown")
FIRST_POLL_S, MOST_POLL_S = 0.25, 2.0  # waits between GetQueryResults: x1.5 each time
LANGUAGES = {"cwli": "CWLI", "sql": "SQL", "ppl": "PPL"}  # --query-language -> queryLanguage
_SORT = re.compile(r"\|\s*sort\s+@timestamp(?:\s+(asc|desc))?\s*(?:\||$)", re.IGNORECASE)
_LIMIT = re.compile(r"\|\s*limit\s+(\d+)", re.IGNORECASE)
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
    parts: int = 1  # queries run
    crowded: list = field(default_factory=list)  # seconds that alone hold more rows than one query gives


class QueryRunner:
    """Runs one query over ``groups`` in a window of epoch seconds, both ends inclusive (as
    StartQuery takes them). ``language``: CWLI, SQL (its groups named in the query, none here) or
    PPL. ``on_progress(statistics, elapsed, rows)`` is called after each poll and page;
    ``stop(query_id)`` on Ctrl-C (with a client that does not retry: the person is waiting)."""

    def __init__(self, client, groups, query, on_progress=lambda statistics, elapsed, rows: None, stop=None,
                 sleep=time.sleep, clock=time.monotonic, language="CWLI"):
        self._client, self._groups, self._query, self._language = client, list(groups), query, language
        self._stop_query = stop or (lambda query_id: client.stop_query(queryId=query_id))
        self._on_progress, self._sleep, self._clock = on_progress, sleep, clock
        self.started = clock()
        self.done = Statistics()  # of the parts finished, for the progress line
        self.fetched = 0  # rows of the parts finished
        self.cap = MAX_QUERY_ROWS if language == "CWLI" else QUERY_PAGE_ROWS  # the most rows one query gives

    def run(self, start_s, end_s):
        query_id = self._client.start_query(**self._start(start_s, end_s))["queryId"]
        try:
            return self._wait(query_id)
        except KeyboardInterrupt:
            self._stop(query_id)
            raise

    def _start(self, start_s, end_s):
        """StartQuery's parameters: the groups as the language takes them; a Logs Insights QL
        query's limit: its own (`| limit N`), else every row one query can give, by pages."""
        start = {"queryString": self._query, "startTime": start_s, "endTime": end_s, "queryLanguage": self._language}
        if self._groups:
            start["logGroupNames"] = self._groups
        if self._language == "CWLI":
            own = _LIMIT.search(self._query)
            start["limit"] = min(int(own.group(1)), MAX_QUERY_ROWS) if own else MAX_QUERY_ROWS
        return start

    def _wait(self, query_id):
        pause = FIRST_POLL_S
        paged = {"maxItems": QUERY_PAGE_ROWS} if self._language == "CWLI" else {}
        while True:
            answer = self._client.get_query_results(queryId=query_id, **paged)
            statistics = _statistics(answer.get("statistics") or {})
            self._progress(statistics, 0)
            status = answer.get("status")
            if status in ENDED:
                if status != "Complete":
                    raise CommandError(f"the query ended {status}")
                rows = self._pages(query_id, answer, statistics, paged)
                self.done.add(statistics)
                self.fetched += len(rows)
                return Result(rows, statistics)
            self._sleep(pause)
            pause = min(pause * 1.5, MOST_POLL_S)

    def _pages(self, query_id, answer, statistics, paged):
        """The rows of a finished query: its first page, then each nextToken's."""
        rows = _rows(answer)
        while answer.get("nextToken") and paged:
            answer = self._client.get_query_results(queryId=query_id, nextToken=answer["nextToken"], **paged)
            rows += _rows(answer)
            self._progress(statistics, len(rows))
        return rows

    def _progress(self, statistics, rows):
        running = Statistics(**vars(self.done))
        running.add(statistics)
        self._on_progress(running, self._clock() - self.started, self.fetched + rows)

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
    """Every row of the window. A part that gives as many rows as one query can is continued
    from the second of its last row (whose other rows may be cut: the next part holds that second
    whole, and rows are kept once, by @ptr); where that cannot go on (no @timestamp in its rows,
    one second fuller than a query), it is split in two that share their middle second instead,
    down to two seconds. The parts in the query's order."""
    parts, total, crowded, queries = [], Statistics(), [], 0
    pending = [(start_s, end_s)]  # a stack: the next part in order on top
    while pending:
        low, high = pending.pop()
        result = runner.run(low, high)
        queries += 1
        total.add(result.statistics)
        if len(result.rows) < runner.cap:
            parts.append(result.rows)
            continue
        after = _after(result.rows, low, high, oldest_first)
        if after is not None:
            parts.append(result.rows)
            pending.append(after)
        elif high - low >= 2:
            middle = (low + high) // 2
            first, second = (low, middle), (middle, high)
            pending += [second, first] if oldest_first else [first, second]
        else:
            crowded.append(low)
            parts.append(result.rows)
    return Result(_once(parts), total, queries, crowded)


def _after(rows, low, high, oldest_first):
    """The window left after a part whose rows were cut (None if its rows carry no @timestamp, or
    it would be the same window): from the second of its last row, whole (an end second may count
    only its first millisecond: the end is the second after)."""
    edge = _last_second(rows)
    if edge is None:
        return None
    after = (edge, high) if oldest_first else (low, min(edge + 1, high))
    return None if after == (low, high) else after


def _last_second(rows):
    """Epoch second of the last row's @timestamp (the service's "2026-12-06 10:00:00.000", UTC,
    or epoch ms), None without one."""
    value = dict(rows[-1]).get("@timestamp") if rows else None
    return service_seconds(value) if value else None


def _once(parts):
    seen, rows = set(), []
    for part in parts:
        for row in part:
            pointer = dict(row).get("@ptr")
            if pointer is None or pointer not in seen:
                seen.add(pointer)
                rows.append(row)
    return rows


def _rows(answer):
    return [[(item["field"], item.get("value", "")) for item in row] for row in answer.get("results", [])]


def _statistics(answer):
    return Statistics(answer.get("recordsMatched", 0), answer.get("recordsScanned", 0), answer.get("bytesScanned", 0))
