"""Operator tools: --check, --status, include/exclude patterns."""
import json
import os
import time

from tests.harness.wireproxy import THROTTLE, delay
from tests.harness.pushagent import PushAgent, section, stored_messages, wait_until, write_lines

GROUP = "ops"


def utc(seconds_ago):
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(time.time() - seconds_ago))


def test_check_shows_files_and_events_and_no_aws_call(aws, wire, tmp_path):
    folder = tmp_path / "logs"
    folder.mkdir()
    log = folder / "app.log"
    log.write_text(f"{utc(60)} INFO start\n{utc(59)} ERROR boom\n  at a.b(c.java:1)\n  at d.e(f.java:2)\n"
                   f"no stamp here\n{utc(58)} INFO done\n")
    (folder / "app.log.1.gz").write_bytes(b"\x1f\x8b")
    (folder / "old.log").write_text(f"{utc(7200)} INFO older\n")
    os.utime(folder / "old.log", (time.time() - 3600, time.time() - 3600))
    agent = PushAgent(aws, tmp_path / "agent", {"app": section(folder / "*.log*", GROUP, "{hostname}-app",
                                                               datetime_format="%Y-%m-%d %H:%M:%S", time_zone="UTC")})
    result = aws.run("logs", "push", "--config-file", agent.config, "--check")
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    print(out)
    assert f"log stream {os.uname().nodename}-app" in out
    assert f"live     {log}: {log.stat().st_size:,} bytes, {log.stat().st_size:,} not shipped yet" in out
    assert f"skipped  {folder / 'app.log.1.gz'}: compressed: never followed as a live file" in out
    assert f"skipped  {folder / 'old.log'}: an older match" in out
    assert "event 1, line 1: " in out and "event 2, lines 2-4: " in out and "(+2 line(s) joined)" in out
    assert "event 3, line 5: no timestamp, falls back to the previous event" in out
    assert out.rstrip().endswith("no problems found")
    assert wire.calls == []  # no AWS call at all


def test_check_names_each_problem_on_one_line(aws, wire, tmp_path):
    log = tmp_path / "app.log"
    old, ahead = utc(20 * 86400), utc(-4 * 3600)
    log.write_text(f"{old} INFO three weeks old\n{ahead} INFO four hours ahead\n{utc(1)} INFO fine\n")
    sections = {
        "format": section(log, GROUP, "a", datetime_format="%d/%b/%Y:%H:%M:%S"),
        "times": section(log, GROUP, "b", datetime_format="%Y-%m-%d %H:%M:%S", time_zone="UTC"),
        "pattern": section(log, GROUP, "c", multi_line_start_pattern="^\\["),
        "glob": section(tmp_path / "nowhere" / "*.log", GROUP, "d"),
    }
    agent = PushAgent(aws, tmp_path / "agent", sections)
    result = aws.run("logs", "push", "--config-file", agent.config, "--check")
    print(result.stdout)
    assert result.returncode == 1
    problems = [line.strip() for line in result.stdout.splitlines() if line.strip().startswith("problem:")]
    assert problems == [
        f"problem: [format] datetime_format: '%d/%b/%Y:%H:%M:%S' matches none of the first 3 line(s) of {log}; "
        "events would take the previous event's time or the time they are read",
        f"problem: [times] datetime_format: line 1's timestamp {_iso(old)} is more than 14 days old: "
        "the service would reject it (check datetime_format and time_zone)",
        f"problem: [times] datetime_format: line 2's timestamp {_iso(ahead)} is more than 2 hours ahead: "
        "the service would reject it (check time_zone)",
        f"problem: [pattern] multi_line_start_pattern: '^\\[' matches none of the first 3 line(s) of {log}; "
        "they would all be joined into one event",
        f"problem: [glob] file: '{tmp_path / 'nowhere' / '*.log'}' matches no file",
    ]
    assert result.stdout.rstrip().endswith("5 problem(s) found")
    assert "Traceback" not in result.stderr and wire.calls == []


def _iso(text):
    return text.replace(" ", "T") + ".000Z"


def test_status_while_the_agent_runs_and_after(aws, logs, wire, tmp_path):
    log = tmp_path / "app.log"
    write_lines(log, 0, 30_000, mode="w")
    agent = PushAgent(aws, tmp_path / "agent", {"app": section(log, GROUP, "status", batch_count=1000)})
    wire.faults.queue(delay(0.3), times=10)  # a slow start, so the agent is still behind when we look
    with agent:
        agent.start()
        wait_until(lambda: wire.accepted_events(GROUP, "status") >= 2000, 60, "a few batches")
        during = json.loads(aws.run("logs", "push", "--config-file", agent.config, "--status", "--json").stdout)
        text = aws.run("logs", "push", "--config-file", agent.config, "--status").stdout
        print(text)
        wait_until(lambda: wire.accepted_events(GROUP, "status") >= 30_000, 120, "all events")
        time.sleep(0.5)
        after = json.loads(aws.run("logs", "push", "--config-file", agent.config, "--status", "--json").stdout)
        assert agent.stop() == 0
    stream = during["streams"][0]
    assert 2000 <= stream["events_sent"] < 30_000 and stream["bytes_behind"] > 0
    line = log.stat().st_size // 30_000
    assert abs(stream["events_behind"] - (30_000 - stream["events_sent"])) <= 1000  # approximate, from bytes
    assert stream["bytes_behind"] == log.stat().st_size - stream["files"][0]["offset"]
    assert stream["last_accepted"] and stream["files"][0]["role"] == "live"
    assert f"behind: {stream['bytes_behind']:,} bytes" in text or "behind:" in text
    done = after["streams"][0]
    assert done["events_sent"] == 30_000 and done["bytes_behind"] == 0 and done["events_behind"] == 0
    accepted_calls = [c for c in wire.calls_of("PutLogEvents") if c.status == 200 and c.target == (GROUP, "status")]
    assert done["batches_sent"] == len(accepted_calls) and done["last_error"] is None and line > 0


def test_status_shows_the_last_error_and_rejected_events(aws, wire, tmp_path):
    log = tmp_path / "app.log"
    log.write_text("".join(f"{utc(20 * 86400 - i)} INFO too old\n" for i in range(3)) + f"{utc(1)} INFO fine\n"
                   f"{utc(0)} INFO last\n")
    agent = PushAgent(aws, tmp_path / "agent", {"app": section(log, GROUP, "rejects", datetime_format="%Y-%m-%d %H:%M:%S",
                                                               time_zone="UTC")})
    wire.faults.queue(THROTTLE, times=4)  # more than botocore's own 3 attempts
    with agent:
        agent.start()
        wait_until(lambda: wire.accepted_events(GROUP, "rejects") >= 2, 60, "the events")
        time.sleep(0.5)
        status = json.loads(aws.run("logs", "push", "--config-file", agent.config, "--status", "--json").stdout)
        assert agent.stop() == 0
    stream = status["streams"][0]
    assert stream["rejected"]["too_old"] == 3  # the proxy answers tooOldLogEventEndIndex as AWS does: an end
    assert stream["last_error"].startswith("ThrottlingException") and stream["last_error_at"]


def test_include_and_exclude_patterns_with_exclusion_winning(aws, logs, wire, tmp_path):
    log = tmp_path / "app.log"
    lines = [f"{level} request {i}" for i in range(3000) for level in ("INFO", "ERROR", "WARN") if i % 3 == 0 or
             level == "INFO"]
    log.write_text("".join(f"{line}\n" for line in lines) + "ERROR healthcheck failed\nERROR\n  at frame\n")
    patterns = {"include_patterns": '"""\n^ERROR\n^WARN\n"""', "exclude_patterns": "healthcheck"}
    agent = PushAgent(aws, tmp_path / "agent", {"app": section(log, GROUP, "filtered", **patterns)})
    expected = [line for line in lines if line.startswith(("ERROR", "WARN"))] + ["ERROR\n  at frame"]
    with agent:
        agent.start()
        wait_until(lambda: wire.accepted_events(GROUP, "filtered") >= len(expected), 60, "the kept events")
        time.sleep(1.5)
        status = json.loads(aws.run("logs", "push", "--config-file", agent.config, "--status", "--json").stdout)
        assert agent.stop() == 0
    assert stored_messages(logs, GROUP, "filtered") == expected
    stream = status["streams"][0]
    assert stream["filtered"] == len(lines) + 1 - len(expected) + 1
    assert stream["bytes_behind"] == 0  # left-out events count as done: a restart does not read them again
    with agent:
        agent.start()
        time.sleep(2)
        assert agent.stop() == 0
    assert stored_messages(logs, GROUP, "filtered") == expected


def test_patterns_that_are_not_regular_expressions_are_config_errors(aws, tmp_path):
    agent = PushAgent(aws, tmp_path / "agent", {"app": section(tmp_path / "a.log", GROUP, "x", exclude_patterns="(")})
    result = aws.run("logs", "push", "--config-file", agent.config)
    assert result.returncode != 0 and len(result.stderr.strip().splitlines()) == 1
    assert "[app] exclude_patterns: '(' is not a valid regular expression" in result.stderr



def test_health_is_exit_0_while_an_agent_runs_on_the_state_file_and_1_otherwise(aws, wire, tmp_path):
    log = tmp_path / "app.log"
    write_lines(log, 0, 10)
    with PushAgent(aws, tmp_path / "agent", {"app": section(log, "health", "s")}) as agent:
        before = aws.run("logs", "push", "--config-file", agent.config, "--health")
        agent.start()
        wait_until(lambda: wire.accepted_events("health", "s") >= 10, 60, "the lines shipped")
        running = aws.run("logs", "push", "--config-file", agent.config, "--health")
        assert agent.stop() == 0
        after = aws.run("logs", "push", "--config-file", agent.config, "--health")
    assert (before.returncode, before.stdout) == (1, "unhealthy: no agent runs on the state file\n")
    assert running.returncode == 0 and running.stdout.startswith("healthy: agent pid "), running.stdout
    assert (after.returncode, after.stdout) == (1, "unhealthy: no agent runs on the state file\n")
    assert "--health needs --config-file" in aws.run("logs", "push", "--health").stderr
