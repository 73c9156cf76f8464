"""``aws logs query``: Logs Insights over many groups, every row past the service's cap, Ctrl-C."""
import csv
import io
import json
import signal
import time

from tests.harness.seeded import BASE, one_line_error, seed
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


def test_all_returns_every_row_past_the_cap_once_and_in_order(aws, logs, wire):
    events = seed_groups(logs, 25_000, 100)
    capped = query(aws, "fields @timestamp, @message | sort @timestamp asc", "--format", "text")
    assert len(capped.stdout.splitlines()) == 10_000 and "10,000 rows, the service's cap" in capped.stderr
    wire.clear()
    started = time.monotonic()
    for order, expected in (("asc", [m for _, _, m in events]), ("desc", [m for _, _, m in events[::-1]])):
        run = query(aws, f"fields @message | sort @timestamp {order}", "--format", "text", "--all")
        assert run.returncode == 0 and run.stderr == "", run.stderr
        assert run.stdout.splitlines() == expected
    print(f"--all: 25,000 rows twice in {time.monotonic() - started:.1f} s, "
          f"{len(wire.calls_of('StartQuery'))} queries")
    # per order: the whole hour (capped), its halves, the first half's halves: 3 parts under the cap
    assert len(wire.calls_of("StartQuery")) == 2 * 5


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
