"""`aws logs pull` against the local endpoint through the strict wire proxy."""
import json
import os
import pty
import subprocess
import time

from tests.harness.wireproxy import THROTTLE, UNAVAILABLE, delay, reset
from tests.harness.seeded import BASE, DAY, EVE, PULL, expected_lines, numbered, one_line_error, seed
from tests.harness.streams import LineReader, interrupted
from tests.harness.terminal import read_to_the_end

def test_pulls_25000_events_across_pages_line_by_line(aws, logs, wire):
    events = numbered(25_000)
    seed(logs, events)
    result = aws.run(*PULL)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.splitlines() == expected_lines(events)
    assert len(wire.calls_of("GetLogEvents")) >= 4  # 3 full pages and the repeated token


def test_time_windows_in_every_syntax(aws, logs):
    events = numbered(3600, step_ms=1000)  # one a second for an hour from BASE
    seed(logs, events)
    ten_past, twenty_past = BASE + 600_000, BASE + 1_200_000
    wanted = expected_lines(events[600:1200])  # start inclusive, end exclusive
    windows = [
        (f"{DAY}T00:10:00Z", f"{DAY}T00:20:00Z", {}),
        (f"{DAY}T05:40:00+05:30", f"{DAY}T05:50:00+0530", {}),
        (f"{EVE}T19:10:00-05:00", f"{DAY}T00:20:00.000Z", {}),
        (str(ten_past), str(twenty_past), {}),
        (f"{DAY}T00:10:00", f"{DAY}T00:20:00", {"--time-zone": "UTC"}),
        (f"{DAY} 05:40:00", f"{DAY} 05:50:00", {"TZ": "XST-5:30"}),  # LOCAL is the default
        (f"{DAY}T05:40:00", f"{DAY}T05:50:00", {"--time-zone": "LOCAL", "TZ": "XST-5:30"}),
    ]
    for start, end, extra in windows:
        options = [x for k, v in extra.items() if k.startswith("--") for x in (k, v)]
        env = {k: v for k, v in extra.items() if not k.startswith("--")}
        result = aws.run(*PULL, "--start-time", start, "--end-time", end, *options, env=env)
        assert result.returncode == 0, (start, end, result.stderr)
        assert result.stdout.splitlines() == wanted, (start, end, extra)


def test_relative_windows(aws, logs):
    now = int(time.time() * 1000)
    ages = {"20s": 20_000, "100s": 100_000, "50m": 3_000_000, "3h": 10_800_000,
            "30h": 108_000_000, "5d": 432_000_000, "10d": 864_000_000}
    events = sorted((now - ms, f"aged {name}") for name, ms in ages.items())
    seed(logs, events)
    for since, expected in [("90s", ["20s"]), ("30m", ["20s", "100s"]), ("2h", ["20s", "100s", "50m"]),
                            ("1d", ["20s", "100s", "50m", "3h"]), ("2d", ["20s", "100s", "50m", "3h", "30h"]),
                            ("1w", ["20s", "100s", "50m", "3h", "30h", "5d"])]:
        result = aws.run(*PULL, "--start-time", since, "--output-format", "{message}")
        assert result.returncode == 0, result.stderr
        assert result.stdout.split() == [w for name in reversed(expected) for w in ("aged", name)], since
    result = aws.run(*PULL, "--end-time", "4d", "--output-format", "{message}")
    assert result.stdout.splitlines() == ["aged 10d", "aged 5d"]


def test_output_format_json_lines(aws, logs):
    events = numbered(1500) + [(BASE + 5000, 'quote " backslash \\ newline\nsecond line')]
    seed(logs, events)
    result = aws.run(*PULL, "--output-format", "json")
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["timestamp"], r["message"]) for r in records] == sorted(events)
    assert all(r["logStreamName"] == "web-1" and isinstance(r["ingestionTime"], int) for r in records)


def test_custom_template(aws, logs):
    seed(logs, [(BASE, "hello")])
    result = aws.run(*PULL, "--output-format", "[{logStreamName}] {{{message}}} at {timestamp}")
    assert result.stdout == f"[web-1] {{hello}} at {DAY}T00:00:00.000Z\n"


def test_bad_output_format_is_one_line_before_any_call(aws, wire):
    for template in ("{nope}", "{message", "{timestamp:d}"):
        message = one_line_error(aws.run(*PULL, "--output-format", template))
        assert message.startswith("aws logs pull: --output-format:")
    assert wire.calls == []


def test_bad_time_is_one_line_naming_the_argument(aws, wire):
    assert "--start-time: 'yesterday'" in one_line_error(aws.run(*PULL, "--start-time", "yesterday"))
    assert "--end-time: '2026-02-30'" in one_line_error(aws.run(*PULL, "--end-time", "2026-02-30"))
    assert "before --end-time" in one_line_error(aws.run(*PULL, "--start-time", "1h", "--end-time", "2h"))
    assert wire.calls == []


def test_missing_group_or_stream_is_one_line_naming_them(aws, logs):
    message = one_line_error(aws.run(*PULL))
    assert "'web-1'" in message and "'app'" in message and "not found" in message
    logs.create_stream("app", "other")
    message = one_line_error(aws.run(*PULL))
    assert "'web-1'" in message and "'app'" in message


def test_follow_prints_new_events_exactly_once_and_exits_0_on_sigint(aws, logs):
    seed(logs, numbered(3))
    process = aws.popen(*PULL, "--follow", "--pull-delay", "100",
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    reader = LineReader(process.stdout)
    try:
        first = reader.take(3)
        logs.put_events("app", "web-1", numbered(5, start=BASE + 10))
        second = reader.take(5)
        time.sleep(0.5)  # several empty polls: nothing may be printed again
        logs.put_events("app", "web-1", numbered(2, start=BASE + 100))
        third = reader.take(2)
        time.sleep(0.3)
        rest = interrupted(process, reader)
    finally:
        process.kill()
    lines = first + second + third + rest
    assert len(lines) == 10 and len(set(lines)) == 10
    assert "Traceback" not in process.stderr.read()


def test_retries_throttling_5xx_and_resets(aws, logs, wire):
    events = numbered(25_000)
    seed(logs, events)
    for fault in (THROTTLE, UNAVAILABLE, reset):  # in a row: botocore's backoff grows each time
        wire.faults.queue(fault, action="GetLogEvents")
    result = aws.run(*PULL)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == expected_lines(events)
    assert [call.fault for call in wire.calls_of("GetLogEvents") if call.fault] == [
        "400 ThrottlingException", "503 ServiceUnavailableException", "reset"]


def test_piped_into_head_ends_quietly(aws, logs):
    seed(logs, numbered(25_000))
    process = aws.popen(*PULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    head = [process.stdout.readline() for _ in range(5)]
    process.stdout.close()  # what `| head -5` does
    assert process.wait(30) == 0
    assert process.stderr.read() == b""
    assert all(line.startswith(f"{DAY}T00:00:00.00".encode()) for line in head)


def test_progress_on_stderr_only_for_a_terminal(aws, logs, wire, tmp_path):
    seed(logs, numbered(25_000))
    wire.faults.queue(delay(0.7), action="GetLogEvents", times=3)  # a long pull: over 2 s
    out = tmp_path / "out.log"
    master, slave = pty.openpty()
    with open(out, "wb") as stdout:
        process = aws.popen(*PULL, stdout=stdout, stderr=slave)
    os.close(slave)
    shown = read_to_the_end(master)
    assert process.wait(60) == 0
    os.close(master)
    assert b"25,000 events" in shown and f"events/s, reached {DAY}T00:00:24.999Z".encode() in shown
    assert len(out.read_bytes().splitlines()) == 25_000
    quiet = aws.run(*PULL)  # stderr is a pipe here: nothing extra
    assert quiet.stderr == ""


def test_last_n_of_a_stream_reads_it_backwards_from_its_end(aws, logs, wire):
    events = numbered(25_000)
    seed(logs, events)
    wire.clear()
    run = aws.run(*PULL, "--last", "12000")
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == expected_lines(events[-12_000:])
    pages = wire.calls_of("GetLogEvents")
    assert len(pages) == 2 and all(page.body["startFromHead"] is False for page in pages)  # 10,000 then back
    window = aws.run(*PULL, "--last", "3", "--newest-first", "--end-time", str(events[100][0]))
    assert window.stdout.splitlines() == expected_lines(events[97:100][::-1])
    groups = aws.run("logs", "pull", "--log-group-name", "app", "--last", "2", "--output-format", "{message}")
    assert groups.stdout.splitlines() == [message for _, message in events[-2:]]
