"""`aws logs filter` against the local endpoint through the strict wire proxy."""
import json
import subprocess
import time

from awscli_cwlogs.timefmt import iso_millis
from tests.harness.seeded import BASE, one_line_error
from tests.harness.streams import LineReader, interrupted
from tests.harness.terminal import on_a_terminal

FILTER = ("logs", "filter", "--log-group-name", "app")


def seed_streams(logs, streams, count, start=BASE):
    events = {}
    for offset, stream in enumerate(streams):
        logs.create_stream("app", stream)
        events[stream] = [(start + i * 10 + offset, f"{stream} event {i} {'ERROR' if i % 3 == 0 else 'ok'}")
                          for i in range(count)]
        logs.put_events("app", stream, events[stream])
    return events


def test_searches_all_streams_interleaved_by_time(aws, logs):
    events = seed_streams(logs, ["web-1", "web-2", "db-1"], 4000)
    result = aws.run(*FILTER)
    assert result.returncode == 0, result.stderr
    expected = sorted((ts, stream, msg) for stream, evs in events.items() for ts, msg in evs)
    assert result.stdout.splitlines() == [f"{s} {iso_millis(ts)} {m}" for ts, s, m in expected]


def test_pattern_streams_window_and_json(aws, logs):
    events = seed_streams(logs, ["web-1", "web-2", "db-1"], 300)
    result = aws.run(*FILTER, "--filter-pattern", "ERROR", "--log-stream-names", "web-1", "db-1",
                     "--start-time", str(BASE + 1000), "--end-time", str(BASE + 2000), "--output-format", "json")
    assert result.returncode == 0, result.stderr
    found = [json.loads(line) for line in result.stdout.splitlines()]
    expected = sorted(
        (ts, stream, msg) for stream in ("web-1", "db-1") for ts, msg in events[stream]
        if "ERROR" in msg and BASE + 1000 <= ts < BASE + 2000
    )
    assert [(r["timestamp"], r["logStreamName"], r["message"]) for r in found] == expected
    assert all(r["eventId"] for r in found)


def test_names_and_prefix_together_is_a_clear_error(aws, wire):
    message = one_line_error(aws.run(*FILTER, "--log-stream-names", "a", "--log-stream-name-prefix", "b"))
    assert "--log-stream-names and --log-stream-name-prefix cannot be used together" in message
    assert wire.calls == []


def test_missing_group_is_one_line(aws):
    assert "log group 'app' not found" in one_line_error(aws.run(*FILTER))


def test_follow_prints_each_event_once(aws, logs):
    seed_streams(logs, ["web-1", "web-2"], 3)
    process = aws.popen(*FILTER, "--follow", "--pull-delay", "100", "--output-format", "{logStreamName} {message}",
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    reader = LineReader(process.stdout)
    try:
        lines = reader.take(6)
        newest = BASE + 21  # web-2's last event; another at the same millisecond arrives late
        logs.put_events("app", "web-1", [(newest, "web-1 same-ms late"), (newest + 5, "web-1 later")])
        logs.put_events("app", "web-2", [(newest + 7, "web-2 later")])
        lines += reader.take(3)
        time.sleep(0.6)  # several polls with nothing new
        lines += interrupted(process, reader)
    finally:
        process.kill()
    assert len(lines) == 9 and len(set(lines)) == 9, lines
    assert lines[-3:] == ["web-1 web-1 same-ms late\n", "web-1 web-1 later\n", "web-2 web-2 later\n"]


def test_histogram_after_the_events_on_a_terminal_only(aws, logs):
    logs.create_stream("app", "s")
    events = [(BASE + minute * 60_000 + i * 1000, f"event {minute} {i}") for minute in range(60) for i in range(minute % 5 + 1)]
    logs.put_events("app", "s", events)
    window = ("--start-time", str(BASE), "--end-time", str(BASE + 3_600_000), "--time-zone", "UTC")
    status, shown, stderr = on_a_terminal(aws, *FILTER, *window, "--histogram", "--output-format", "{message}",
                                          columns=80, lines=16)
    assert status == 0, stderr
    lines = shown.splitlines()
    assert lines[:len(events)] == [message for _, message in events]  # the events first, as always
    chart = lines[len(events):]
    assert chart[0].strip() == f"{len(events)} events, per 5m  (times in UTC)" and len(chart) == 12
    assert chart[2].startswith("15.0┤") and chart[-1].split()[0] == time.strftime("%m-%d", time.gmtime(BASE / 1000))
    piped = aws.run(*FILTER, *window, "--histogram", "--output-format", "{message}")
    assert piped.stdout.splitlines() == [message for _, message in events]
    assert "not with --follow" in one_line_error(aws.run(*FILTER, "--histogram", "--follow"))
