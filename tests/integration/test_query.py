"""``aws logs query``: Logs Insights over many groups, 100,000 rows a query by pages, every row
past that with the fewest queries, SQL and PPL, Ctrl-C."""
import csv
import io
import json
import signal
import time

from tests.harness.seeded import BASE, one_line_error, seed
from tests.harness.terminal import on_a_terminal
from tests.harness.wireproxy import query_running

GROUPS = ("app", "web", "db")
WINDOW = ("--start-time", str(BASE), "--end-time", str(BASE + 3_600_000))


def seed_groups(logs, count, step_ms):
    """``count`` events spread over the three groups, one every ``step_ms``; (timestamp, group, message)."""
    events = [(BASE + i * step_ms, GROUPS[i % 3], f"event {i:06d} of {GROUPS[i % 3]}") for i in range(count)]
    for group in GROUPS:
        seed(logs, [(ts, message) for ts, g, message in events if g == group], group, "s")
    return events


def query(aws, text, *extra):
    return aws.run("logs", "query", text, "--log-group-names", *GROUPS, *WINDOW, *extra)


def test_a_query_over_three_groups_returns_the_rows_the_events_say(aws, logs):
    events = seed_groups(logs, 300, 1000)
    run = query(aws, "fields @timestamp, @message, @log | sort @timestamp asc | limit 50", "--format", "json")
    assert run.returncode == 0, run.stderr
    rows = [json.loads(line) for line in run.stdout.splitlines()]
    assert [(row["@message"], row["@log"]) for row in rows] == [(m, g) for _, g, m in events[:50]]
    assert all("@ptr" not in row for row in rows)
    newest = query(aws, "fields @message | sort @timestamp desc | limit 5", "--format", "text", "--show-ptr")
    assert [line.split("\t")[0] for line in newest.stdout.splitlines()] == [m for _, _, m in events[::-1][:5]]
    assert all(len(line.split("\t")) == 2 for line in newest.stdout.splitlines())  # @ptr asked for
    table = query(aws, "fields @log, @message | sort @timestamp asc | limit 3", "--format", "table").stdout
    header, rule, first = table.splitlines()[:3]  # columns in the answer's order (moto's, here)
    widths = {"@log": 4, "@message": len("event 000000 of app")}
    assert header.split() == list(widths) or header.split() == list(widths)[::-1]
    assert rule.split() == ["-" * widths[name] for name in header.split()]
    assert first.split(None, 3) == (["app", "event", "000000", "of app"] if header.startswith("@log")
                                     else ["event", "000000", "of", "app  app"])
    sheet = list(csv.reader(io.StringIO(query(aws, "fields @message, @log | limit 2", "--format", "csv").stdout)))
    assert sheet[0] == ["@message", "@log"] and len(sheet) == 3


def test_one_query_gives_90000_rows_by_pages(aws, logs, wire):
    events = seed_groups(logs, 90_000, 20)
    wire.clear()
    run = query(aws, "fields @timestamp, @message | sort @timestamp asc", "--format", "text")
    assert run.returncode == 0 and run.stderr == "", run.stderr
    assert [line.split("\t")[1] for line in run.stdout.splitlines()] == [m for _, _, m in events]
    [start] = wire.calls_of("StartQuery")
    assert start.body["limit"] == 100_000 and start.body["queryLanguage"] == "CWLI"
    pages = [call.body for call in wire.calls_of("GetQueryResults")]
    assert [page.get("nextToken") is not None for page in pages[-9:]] == [False] + [True] * 8  # 9 pages of 10,000
    assert all(page["maxItems"] == 10_000 for page in pages)
    limited = query(aws, "fields @message | sort @timestamp asc | limit 12000", "--format", "text")
    assert len(limited.stdout.splitlines()) == 12_000 and wire.calls_of("StartQuery")[-1].body["limit"] == 12_000


def test_all_returns_250000_rows_once_and_in_order_with_the_fewest_queries(aws, logs, wire):
    events = seed_groups(logs, 250_000, 10)  # 100 a second: a part's last second is cut, and sent again
    everything = ("--start-time", str(BASE), "--end-time", str(BASE + 2_600_000))
    for order, expected in (("asc", [m for _, _, m in events]), ("desc", [m for _, _, m in events[::-1]])):
        wire.clear()
        run = aws.run("logs", "query", f"fields @timestamp, @message | sort @timestamp {order}",
                      "--log-group-names", *GROUPS, *everything, "--format", "text", "--all")
        assert run.returncode == 0, run.stderr
        assert [line.split("\t")[1] for line in run.stdout.splitlines()] == expected
        assert len(wire.calls_of("StartQuery")) == 3 and run.stderr == "aws logs query: --all: 3 queries, 250,000 rows\n"
    wire.clear()  # rows without @timestamp: halves, as many queries as it takes
    run = aws.run("logs", "query", "fields @message | sort @timestamp asc", "--log-group-names", *GROUPS,
                  *everything, "--format", "text", "--all")
    assert run.stdout.splitlines() == [m for _, _, m in events]
    assert len(wire.calls_of("StartQuery")) > 3


def test_each_query_language_sends_its_groups_as_the_service_takes_them(aws, logs, wire):
    events = seed_groups(logs, 30, 1000)
    sql = "SELECT `@message` FROM `logGroups(logGroupIdentifier: ['app', 'db'])`"
    run = aws.run("logs", "query", sql, "--query-language", "sql", *WINDOW, "--format", "text")
    assert run.returncode == 0, run.stderr
    assert [line.split("\t")[1] for line in run.stdout.splitlines()] == [m for _, g, m in events if g != "web"]
    start = wire.calls_of("StartQuery")[-1].body
    assert start["queryLanguage"] == "SQL" and not {"logGroupNames", "logGroupName", "limit"} & set(start)
    run = aws.run("logs", "query", "fields `@message` | head 5", "--query-language", "ppl", "--log-group-names", "web",
                  *WINDOW, "--format", "text")
    assert run.returncode == 0, run.stderr
    start = wire.calls_of("StartQuery")[-1].body
    assert (start["queryLanguage"], start["logGroupNames"], "limit" in start) == ("PPL", ["web"], False)
    assert all("nextToken" not in call.body and "maxItems" not in call.body
               for call in wire.calls_of("GetQueryResults")[-1:])
    for arguments, message in [
        (("--query-language", "sql", "--log-group-names", "app"), "the log groups are named in the query"),
        (("--query-language", "ppl", "--log-group-names", "app", "--all"), "--all is for Logs Insights QL"),
    ]:
        error = aws.run("logs", "query", sql, *arguments, *WINDOW)
        assert error.returncode == 252 and message in one_line_error(error)


def test_ctrl_c_stops_the_query(aws, logs, wire):
    seed_groups(logs, 30, 1000)
    wire.faults.queue(query_running, "GetQueryResults", times=10_000)
    process = aws.popen("logs", "query", "fields @message", "--log-group-names", *GROUPS, *WINDOW)
    deadline = time.monotonic() + 60
    while not wire.calls_of("GetQueryResults") and time.monotonic() < deadline:
        time.sleep(0.1)
    process.send_signal(signal.SIGINT)
    assert process.wait(30) == 130
    stops = wire.calls_of("StopQuery")
    polled = {call.body["queryId"] for call in wire.calls_of("GetQueryResults")}
    assert len(stops) == 1 and {stops[0].body["queryId"]} == polled  # the query it was waiting for


def test_more_groups_than_a_query_takes_and_other_mistakes_are_one_line(aws, logs):
    for index in range(51):
        logs.call("CreateLogGroup", {"logGroupName": f"/svc/g{index:02d}"})
    many = one_line_error(aws.run("logs", "query", "fields @message", "--log-group-name-prefix", "/svc/"))
    assert "51 log groups start with '/svc/'; one query takes at most 50" in many
    for arguments, message in [
        (("--log-group-name-prefix", "/none/"), "no log group starts with '/none/'"),
        ((), "give --log-group-names or --log-group-name-prefix"),
        (("--log-group-names", "app", "--all"), None),
    ]:
        text = "stats count(*) by bin(1m)" if message is None else "fields @message"
        error = one_line_error(aws.run("logs", "query", text, *arguments))
        assert (message or "--all needs a query that returns log events, not stats") in error


def test_chart_on_a_terminal_and_rows_in_a_pipe(aws, logs):
    counts = {}
    for group, every in (("app", 20), ("web", 45)):  # an hour of events: 30 and 13 or 14 each ten minutes
        times = [BASE + i * every * 1000 for i in range(3600 // every)]
        seed(logs, [(ts, f"{group} {ts}") for ts in times], group, "s")
        for ts in times:
            counts[(ts - BASE) // 600_000, group] = counts.get(((ts - BASE) // 600_000, group), 0) + 1
    text = "stats count(*) by bin(10m), @log"
    status, shown, stderr = on_a_terminal(aws, "logs", "query", text, "--log-group-names", "app", "web", *WINDOW,
                                          "--chart")
    assert status == 0, stderr
    lines = shown.splitlines()
    assert lines[0].strip() == f"{text}  (times in UTC)" and len(lines) == 16 and max(map(len, lines)) <= 72
    assert "•• app" in lines[2] and "++ web" in lines[3] and "30.0┤" in shown
    assert lines[-1].split()[:2] == [time.strftime("%m-%d", time.gmtime(BASE / 1000)), "00:00"]
    piped = aws.run("logs", "query", text, "--log-group-names", "app", "web", *WINDOW, "--chart")
    assert piped.returncode == 0, piped.stderr
    assert [int(json.loads(line)["count(*)"]) for line in piped.stdout.splitlines()] == \
        [counts[key] for key in sorted(counts)]  # rows, as without --chart
    status, _, stderr = on_a_terminal(aws, "logs", "query", "fields @message", "--log-group-names", "app", *WINDOW,
                                      "--chart")
    assert status == 252 and "--chart needs a time column" in stderr
