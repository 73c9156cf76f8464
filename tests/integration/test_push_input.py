"""What the agent makes of its input: stdin, encodings, multi-line events, huge lines, gzip, dry run."""
import json
import signal
import subprocess
import time

from tests.harness.appstream import GROUP, STREAM, section, stored
from tests.harness.pushagent import PushAgent, audit, wait_until, write_lines
from tests.harness.seeded import DAY
from tests.harness.streams import LineReader

STDIN = ("logs", "push", "--log-group-name", GROUP, "--log-stream-name", STREAM)


def test_stdin_200000_lines_in_batches_of_10000(aws, logs, wire):
    lines = "".join(f"seq {i:09d} short\n" for i in range(200_000))
    result = aws.run(*STDIN, input=lines)
    assert result.returncode == 0, result.stderr
    counts = [c.event_count for c in wire.calls_of("PutLogEvents") if c.status == 200]
    # full 10,000-event batches; the first may go out early if the agent caught up with the pipe
    assert sum(counts) == 200_000 and max(counts) == 10_000 and len(counts) <= 21
    lost, duplicated = audit(stored(logs), range(200_000))
    assert (lost, duplicated) == ([], 0)
    assert all(c.content_encoding == "gzip" for c in wire.calls_of("PutLogEvents"))


def test_stdin_invalid_bytes_are_replaced_and_it_exits_0(aws, logs):
    process = subprocess.run(aws.command(*STDIN), input=b"good\n\xff\xfe bad\nlast without newline",
                             capture_output=True, env=aws.env, timeout=60)
    assert process.returncode == 0, process.stderr
    assert stored(logs) == ["good", "\ufffd\ufffd bad", "last without newline"]


def test_stdin_reports_what_could_not_be_delivered(aws, wire):
    wire.faults.queue(lambda h, f: h.reply(400, json.dumps(
        {"__type": "AccessDeniedException", "message": "not allowed"}).encode()), times=100)
    result = aws.run(*STDIN, input="one\ntwo\n")
    assert result.returncode != 0
    assert "2 events could not be delivered to app/web-1: AccessDeniedException: not allowed" in result.stderr
    assert "Traceback" not in result.stderr


def test_stack_traces_are_joined_also_when_continuations_come_late(aws, logs, wire, tmp_path):
    log = tmp_path / "app.log"
    log.write_text("2026-11-22 10:00:00 ERROR boom\n  at a.B.c(B.java:1)\n")
    with PushAgent(aws, tmp_path / "agent", {"app": section(log)}) as agent:
        agent.start()
        time.sleep(0.5)
        with open(log, "a") as out:
            out.write("  at d.E.f(E.java:2)\nCaused by: x\n")
        time.sleep(0.5)
        with open(log, "a") as out:
            out.write("  at g.H.i(H.java:3)\n2026-11-22 10:00:01 INFO next\n")
        wait_until(lambda: wire.accepted_events(GROUP, STREAM) >= 3, 30, "three events")
        assert agent.stop() == 0
    assert stored(logs) == [
        "2026-11-22 10:00:00 ERROR boom\n  at a.B.c(B.java:1)\n  at d.E.f(E.java:2)",
        "Caused by: x\n  at g.H.i(H.java:3)",
        "2026-11-22 10:00:01 INFO next",
    ]


def test_a_3_mb_line_arrives_whole_across_parts(aws, logs, wire, tmp_path):
    log = tmp_path / "app.log"
    big = "".join(f"{i:07d}é" for i in range(330_000))  # 2,970,000 bytes, multi-byte characters throughout
    log.write_text(f"before\n{big}\nafter\n")
    with PushAgent(aws, tmp_path / "agent", {"app": section(log)}) as agent:
        agent.start()
        wait_until(lambda: wire.accepted_events(GROUP, STREAM) >= 5, 60, "before, 3 parts and after")
        time.sleep(0.5)
        assert agent.stop() == 0
    messages = stored(logs)
    assert messages[0] == "before" and messages[-1] == "after"
    assert "".join(messages[1:-1]) == big and len(messages) == 5


def test_gzip_follows_the_config(aws, logs, wire, tmp_path):
    log = tmp_path / "app.log"
    write_lines(log, 0, 10, mode="w")
    agent = PushAgent(aws, tmp_path / "agent", {"app": section(log)}, {"use_gzip_http_content_encoding": "false"})
    with agent:
        agent.start()
        wait_until(lambda: wire.accepted_events(GROUP, STREAM) >= 10, 30, "10 events")
        assert agent.stop() == 0
    assert {c.content_encoding for c in wire.calls_of("PutLogEvents")} == {""}


def test_dry_run_prints_and_calls_nothing(aws, wire, tmp_path):
    log = tmp_path / "app.log"
    log.write_text(f"{DAY} 10:00:00 hello\n{DAY} 10:00:01 world\n")  # a date the service would take
    agent = PushAgent(aws, tmp_path / "agent", {"app": section(log, datetime_format="%Y-%m-%d %H:%M:%S",
                                                                time_zone="UTC")})
    with agent:
        agent.start("--dry-run")
        printed = LineReader(agent.process.stdout)
        # the last line is printed at the idle flush, 1 s after it was read (it might have gone on)
        first = printed.take(2)
        assert agent.stop(signal.SIGINT) == 0  # Ctrl-C: the same orderly stop as SIGTERM
        out = b"".join(first + printed.rest()).decode()
    assert out == f"{DAY}T10:00:00.000Z {DAY} 10:00:00 hello\n{DAY}T10:00:01.000Z {DAY} 10:00:01 world\n"
    assert wire.calls == [] and not agent.state_file.exists()
