"""export/insights.py and export/rows.py: every row past what one query gives, once and in order,
with the fewest queries; pages; the rows as text."""
import math

import pytest

from awscli_cwlogs.export.insights import QueryRunner, Result, check_for_all, run_all
from awscli_cwlogs.export.rows import render

CAP = 10


class FakeInsights:
    """Events (timestamp ms, pointer) answered as the service would for a window of seconds:
    ``whole_end_second``: the end second counts whole (else only its first millisecond, as moto)."""

    cap = CAP  # the most rows one query gives

    def __init__(self, timestamps, whole_end_second, oldest_first, stamped=True):
        self.events = [(ts, f"p{i}") for i, ts in enumerate(timestamps)]
        self.whole, self.oldest_first, self.windows, self.stamped = whole_end_second, oldest_first, [], stamped

    def run(self, low, high):
        self.windows.append((low, high))
        end = high * 1000 + (999 if self.whole else 0)
        found = sorted((e for e in self.events if low * 1000 <= e[0] <= end), reverse=not self.oldest_first)
        return Result([[("@timestamp", str(ts)) if self.stamped else ("@message", str(ts)), ("@ptr", ptr)]
                       for ts, ptr in found[:CAP]])


@pytest.mark.parametrize("stamped", [True, False])
@pytest.mark.parametrize("whole_end_second", [True, False])
@pytest.mark.parametrize("oldest_first", [True, False])
def test_every_row_once_in_order_whatever_the_service_does_with_the_end_second(whole_end_second, oldest_first,
                                                                                stamped):
    timestamps = [1000 * second + ms for second in range(0, 40, 3) for ms in (0, 1, 500, 999)]  # 4 in some seconds
    service = FakeInsights(timestamps, whole_end_second, oldest_first, stamped)
    result = run_all(service, 0, 40, oldest_first)
    got = [int(dict(row)["@timestamp" if stamped else "@message"]) for row in result.rows]
    assert got == sorted(timestamps, reverse=not oldest_first)
    assert result.parts == len(service.windows) and not result.crowded
    if stamped:  # continued from each part's last second: a query per 10 rows, and one more per second cut
        assert result.parts <= 2 * math.ceil(len(timestamps) / CAP)
    else:  # halves
        assert result.parts > 2 * math.ceil(len(timestamps) / CAP)


def test_a_window_too_crowded_to_split_is_reported():
    continued = run_all(FakeInsights([5000 + i for i in range(30)], True, True), 0, 20, True)
    assert continued.crowded == [5] and len(continued.rows) == CAP
    halved = run_all(FakeInsights([5000 + i for i in range(30)], True, True, stamped=False), 0, 20, True)
    assert halved.crowded == [4, 5] and len(halved.rows) == CAP  # both two-second windows hold second 5


@pytest.mark.parametrize("query, problem", [
    ("fields @message | stats count(*) by bin(5m)", "not stats"),
    ("fields @message | limit 20", "leave limit out"),
    ("fields @message | sort @logStream", "sort by @timestamp"),
])
def test_all_refuses_queries_it_cannot_merge(query, problem):
    assert problem in check_for_all(query)[0]


@pytest.mark.parametrize("query, oldest_first", [
    ("fields @message", False), ("fields @message | sort @timestamp desc", False),
    ("fields @message | sort @timestamp asc | display @message", True), ("fields x | sort @timestamp asc", True),
])
def test_all_takes_event_queries_in_time_order(query, oldest_first):
    assert check_for_all(query) == (None, oldest_first)


class FakeClient:
    def __init__(self, statuses, pages=1):
        self.statuses, self.calls, self.pages = list(statuses), [], pages

    def start_query(self, **request):
        self.calls.append(("start", request))
        return {"queryId": "q1"}

    def get_query_results(self, queryId, **paging):
        self.calls.append(("results", paging))
        page = int(paging.get("nextToken", "0"))
        status = self.statuses.pop(0) if not page else "Complete"
        if status == "interrupt":
            raise KeyboardInterrupt
        answer = {"status": status, "statistics": {"recordsMatched": 2.0, "recordsScanned": 9.0, "bytesScanned": 90.0},
                  "results": [[{"field": "@message", "value": f"a{page}"}]] if status == "Complete" else []}
        if status == "Complete" and page + 1 < self.pages:
            answer["nextToken"] = str(page + 1)
        return answer

    def stop_query(self, queryId):
        self.calls.append(("stop", queryId))


def test_polls_with_growing_waits_until_done_and_stops_on_ctrl_c():
    sleeps, seen = [], []
    client = FakeClient(["Scheduled", "Running", "Running", "Running", "Complete"])
    runner = QueryRunner(client, ["a", "b"], "fields @message", lambda s, e, rows: seen.append(s.records_matched),
                         sleep=sleeps.append)
    result = runner.run(10, 20)
    assert result.rows == [[("@message", "a0")]] and seen == [2.0] * 5
    assert sleeps == [0.25, 0.375, 0.5625, 0.84375]
    assert client.calls[0] == ("start", {"logGroupNames": ["a", "b"], "queryString": "fields @message",
                                         "startTime": 10, "endTime": 20, "queryLanguage": "CWLI", "limit": 100_000})
    stopped = FakeClient(["Running", "interrupt"])
    with pytest.raises(KeyboardInterrupt):
        QueryRunner(stopped, ["a"], "fields @message", sleep=lambda s: None).run(1, 2)
    assert stopped.calls[-1] == ("stop", "q1")


def test_a_finished_query_is_taken_page_by_page_and_sql_names_its_groups_in_the_query():
    fetched = []
    client = FakeClient(["Running", "Complete"], pages=3)
    result = QueryRunner(client, ["a"], "fields @message | limit 25000", lambda s, e, rows: fetched.append(rows),
                         sleep=lambda s: None).run(1, 2)
    assert [row[0][1] for row in result.rows] == ["a0", "a1", "a2"] and fetched == [0, 0, 2, 3]
    assert client.calls[0][1] == {"logGroupNames": ["a"], "queryString": "fields @message | limit 25000",
                                  "startTime": 1, "endTime": 2, "queryLanguage": "CWLI", "limit": 25_000}  # its own
    assert [call[1] for call in client.calls[1:]] == [{"maxItems": 10_000}] * 2 + [
        {"maxItems": 10_000, "nextToken": "1"}, {"maxItems": 10_000, "nextToken": "2"}]
    sql = FakeClient(["Complete"], pages=3)
    runner = QueryRunner(sql, [], "SELECT 1 FROM `logGroups(logGroupIdentifier: ['a'])`", sleep=lambda s: None,
                         language="SQL")
    assert len(runner.run(1, 2).rows) == 1 and runner.cap == 10_000  # no pages in SQL
    assert sql.calls == [("start", {"queryString": "SELECT 1 FROM `logGroups(logGroupIdentifier: ['a'])`",
                                    "startTime": 1, "endTime": 2, "queryLanguage": "SQL"}), ("results", {})]


def test_rows_as_a_table_json_csv_and_text():
    rows = [[("@timestamp", "2026-12-03 10:00:00.000"), ("@message", "two\nlines"), ("@ptr", "Cm1")],
            [("@timestamp", "2026-12-03 10:00:01.000"), ("@message", "x"), ("count", "3"), ("@ptr", "Cm2")]]
    assert render(rows, "table") == ("@timestamp               @message    count\n"
                                     "-----------------------  ----------  -----\n"
                                     "2026-12-03 10:00:00.000  two\\nlines\n"
                                     "2026-12-03 10:00:01.000  x           3\n")
    first = '{"@timestamp": "2026-12-03 10:00:00.000", "@message": "two\\nlines"}'
    assert render(rows, "json").splitlines()[0] == first
    assert render(rows, "csv", show_ptr=True).splitlines()[0] == "@timestamp,@message,count,@ptr"
    assert render(rows, "text") == "2026-12-03 10:00:00.000\ttwo\\nlines\t\n2026-12-03 10:00:01.000\tx\t3\n"
    assert render([], "table") == "" and render([], "json") == ""
    assert render([[("@ptr", "Cm1")]], "csv") == ""  # no field to show
