"""`--live`: following groups with StartLiveTail sessions served by the wire proxy (tests/harness/livetail.py),
which ends them and samples when the test says; the events between sessions come from FilterLogEvents."""
import subprocess
import time

import pytest

from tests.harness.logsapi import LogsApi
from tests.harness.seeded import one_line_error, seed
from tests.harness.streams import LineReader, interrupted
from tests.harness.wireproxy import error_status

GROUPS = ["/live/api", "/live/db", "/live/web"]


def write_rounds(api, rounds, pause_s, groups=GROUPS):
    """One event per group per round, through the proxy (so live sessions see them)."""
    written = []
    for number in range(rounds):
        for group in groups:
            message = f"{group} {number:04d}"
            api.put_events(group, "s", [(int(time.time() * 1000), message)])
            written.append(message)
        time.sleep(pause_s)
    return written


@pytest.mark.parametrize("end_with", ["timeout", "close"])
def test_sessions_the_server_ends_are_renewed_with_nothing_lost_or_repeated(aws, logs, wire, end_with):
    earlier = int(time.time() * 1000) - 30_000
    for group in GROUPS:
        seed(logs, [(earlier, f"{group} earlier")], group, "s")
    wire.live.end_after, wire.live.end_with = 45, end_with
    process = aws.popen("logs", "filter", "--log-group-name-prefix", "/live/", "--live", "--start-time",
                        str(earlier - 1000), "--output-format", "{logGroupName} {message}",
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    reader = LineReader(process.stdout)
    try:
        lines = reader.take(3)  # the history first: every group's event from before
        written = write_rounds(LogsApi(wire.url), 100, 0.1)
        lines += reader.take(len(written), timeout=90)
        lines += interrupted(process, reader)
    finally:
        process.kill()
    messages = [line.split(" ", 1)[1].rstrip("\n") for line in lines]
    assert sorted(lines[:3]) == [f"{group} {group} earlier\n" for group in GROUPS]
    assert sorted(messages) == sorted([f"{group} earlier" for group in GROUPS] + written)  # none lost, none twice
    sessions = wire.live.sessions
    delivered = sum(session.delivered for session in sessions)
    assert sessions[0].ended == "client went away"  # opened to see that live tail is there, before the history
    assert len(sessions) >= 4 and [s.ended for s in sessions[1:-1]] == [end_with] * (len(sessions) - 2)
    assert delivered < len(written)  # events came while no session was open: the searches found them
    assert "Traceback" not in process.stderr.read()


def test_a_sampled_update_prints_a_warning_until_sampling_ends(aws, logs, wire):
    seed(logs, [(int(time.time() * 1000), "before")], "/live/api", "s")
    wire.live.sample_above = 5
    process = aws.popen("logs", "filter", "--log-group-name", "/live/api", "--live", "--output-format", "{message}",
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    errors = LineReader(process.stderr)
    api = LogsApi(wire.url)
    try:
        wait_for_session(wire)
        now = int(time.time() * 1000)
        api.put_events("/live/api", "s", [(now, f"burst {i}") for i in range(20)])
        warning = errors.take(1)[0]
        api.put_events("/live/api", "s", [(now + 1, "calm")])
        notice = errors.take(1)[0]
        process.send_signal(2)
        assert process.wait(15) == 0
        out = process.stdout.read().splitlines()
    finally:
        process.kill()
    assert warning.startswith("aws logs filter: live tail: more than 500 events a second match, so the service "
                              "shows a sample of them")
    assert notice == "aws logs filter: live tail: every event is shown again\n"
    assert out == [f"burst {i}" for i in range(5)] + ["calm"]  # what a sample shows; "before" is not live


def test_without_live_tail_at_the_endpoint_a_notice_and_polling(aws, logs, wire):
    seed(logs, [(int(time.time() * 1000), "first")], "/live/api", "s")
    wire.faults.queue(error_status(400, "UnknownOperationException", "not here"), action="StartLiveTail")
    process = aws.popen("logs", "filter", "--log-group-name", "/live/api", "--live", "--start-time", "1m",
                        "--pull-delay", "100", "--output-format", "{message}",
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    errors, reader = LineReader(process.stderr), LineReader(process.stdout)
    try:
        notice = errors.take(1)[0]
        lines = reader.take(1)
        LogsApi(wire.url).put_events("/live/api", "s", [(int(time.time() * 1000), "second")])
        lines += reader.take(1)
        lines += interrupted(process, reader)
    finally:
        process.kill()
    assert notice == ("aws logs filter: live tail is not available from this endpoint "
                      "(UnknownOperationException (HTTP 400)); polling instead\n")
    assert lines == ["first\n", "second\n"]
    assert wire.calls_of("FilterLogEvents") and not wire.live.sessions


def test_live_arguments_that_cannot_work_are_one_line_errors(aws, logs):
    for number in range(11):
        seed(logs, [(int(time.time() * 1000), "x")], f"/many/{number:02d}", "s")
    assert "--live: 11 log groups match; a live tail session takes up to 10" in one_line_error(
        aws.run("logs", "filter", "--log-group-name-prefix", "/many/", "--live"))
    assert "--live follows from now on: --end-time cannot be used with it" in one_line_error(
        aws.run("logs", "filter", "--log-group-name", "/many/00", "--live", "--end-time", "1m"))
    assert "--live: --log-stream-names and --log-stream-name-prefix take one log group only" in one_line_error(
        aws.run("logs", "filter", "--log-group-names", "/many/00", "/many/01", "--live", "--log-stream-names", "s"))
    assert "log group '/nothing' not found" in one_line_error(
        aws.run("logs", "filter", "--log-group-name", "/nothing", "--live"))


def wait_for_session(wire, timeout=30):
    deadline = time.monotonic() + timeout
    while not wire.live.sessions:
        assert time.monotonic() < deadline, "no live tail session started"
        time.sleep(0.05)
    time.sleep(0.3)  # its first update went out



def test_pull_follows_one_stream_live(aws, logs, wire):
    seed(logs, [(int(time.time() * 1000), "before")], "/live/api", "web-1")
    process = aws.popen("logs", "pull", "--log-group-name", "/live/api", "--log-stream-name", "web-1", "--live",
                        "--output-format", "{message}", stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    reader = LineReader(process.stdout)
    api = LogsApi(wire.url)
    try:
        wait_for_session(wire)
        api.create_stream("/live/api", "web-2")
        for number in range(3):
            now = int(time.time() * 1000)
            api.put_events("/live/api", "web-2", [(now, f"other {number}")])
            api.put_events("/live/api", "web-1", [(now, f"mine {number}")])
        lines = reader.take(3)
        lines += interrupted(process, reader)
    finally:
        process.kill()
    assert lines == ["mine 0\n", "mine 1\n", "mine 2\n"]
    assert wire.calls_of("StartLiveTail")[0].body["logStreamNames"] == ["web-1"]
