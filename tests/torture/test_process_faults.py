"""Scenario 13: the host's faults around the agent's process, while lines arrive: a second agent
started on the same state file (refused at once; one started to take over waits for the first
one's stop), the agent paused with SIGSTOP (a VM pause, a debugger), and the wall clock stepped an
hour either way (an NTP correction) and three hours ahead. 0 lost and 0 duplicated each time,
but for the events stamped three hours ahead, which the service refuses: each is counted.

The clock is stepped for the agent's process alone with Debian's libfaketime (LD_PRELOAD), its
monotonic clock left alone, as a real step leaves CLOCK_MONOTONIC alone."""
import glob
import json
import re
import signal
import time

import pytest

from tests.harness.pushagent import (PacedWriter, PushAgent, audit, section, settle, start_shipping, stored_messages,
                                     wait_until)

GROUP = "torture"


def test_a_second_agent_is_refused_and_a_waiting_one_takes_over_exactly(aws, wire, logs, tmp_path, torture_report):
    log, stream = tmp_path / "app.log", "two-agents"
    sections = {"app": section(log, GROUP, stream)}
    first, taker = PushAgent(aws, tmp_path / "agent", sections), PushAgent(aws, tmp_path / "agent", sections)
    taker.runs = 100  # a log file of its own
    writer = PacedWriter(log)
    with first, taker:
        start_shipping(first, writer, wire, GROUP, stream)
        asked = time.monotonic()
        second = aws.run("logs", "push", "--config-file", first.config, timeout=60)
        refused_in = time.monotonic() - asked
        taker.start("--wait-for-state-lock", "60")
        wait_until(lambda: "waiting up to 60 s" in taker.log_text(), 60, "the second agent waiting")
        time.sleep(2)
        assert first.stop() == 0
        wait_until(lambda: "shipping 1 stream section(s)" in taker.log_text(), 60, "the second agent taking over")
        time.sleep(2)
        written = writer.stop()
        settle(wire, GROUP, stream, written)
        assert taker.stop() == 0
    lost, duplicated = audit(stored_messages(logs, GROUP, stream), range(written))
    torture_report("13 a second agent", written=written, lost=len(lost), duplicated=duplicated,
                   refused_exit=second.returncode, refused_in_s=round(refused_in, 1))
    assert (lost, duplicated) == ([], 0)
    assert second.returncode == 255 and second.stderr.count("\n") == 1
    assert second.stderr.startswith(f"aws logs push: another agent (pid {first.process.pid}) is running with the "
                                    f"state file {first.state_file}")


def test_a_paused_agent_ships_what_arrived_meanwhile(aws, wire, logs, tmp_path, profile, torture_report):
    log, stream = tmp_path / "app.log", "paused"
    agent = PushAgent(aws, tmp_path / "agent", {"app": section(log, GROUP, stream)})
    writer = PacedWriter(log)
    with agent:
        start_shipping(agent, writer, wire, GROUP, stream)
        agent.process.send_signal(signal.SIGSTOP)
        time.sleep(profile.pause_s)
        before = wire.accepted_events(GROUP, stream)
        agent.process.send_signal(signal.SIGCONT)
        wait_until(lambda: wire.accepted_events(GROUP, stream) > before + 2 * profile.pause_s * 1000, 60,
                   "what arrived during the pause shipped")
        written = writer.stop()
        settle(wire, GROUP, stream, written)
        assert agent.process.poll() is None
        assert agent.stop() == 0
    lost, duplicated = audit(stored_messages(logs, GROUP, stream), range(written))
    torture_report("13 paused (SIGSTOP)", written=written, lost=len(lost), duplicated=duplicated,
                   paused_s=profile.pause_s)
    assert (lost, duplicated) == ([], 0)


def accepted_requests(wire):
    return len([call for call in wire.calls_of("PutLogEvents") if call.status == 200])


def libfaketime():
    found = sorted(glob.glob("/usr/lib/*/faketime/libfaketime.so.1"))
    if not found:
        pytest.skip("needs Debian's faketime package (libfaketime), which python3 dev.py test installs as root")
    return found[0]


# wall clock offsets in turn: each step is taken while a batch waits for its buffer_duration (5 s).
# An hour either way is taken; three hours ahead the events (stamped with the time they are
# read) are too new for the service
CLOCK_STEPS = ("+0", "+3600", "-3600", "+10800", "+0")
LINES_PER_STEP = 3_000


def test_wall_clock_steps_neither_stall_nor_flood_and_refused_events_are_counted(aws, wire, logs, tmp_path,
                                                                                torture_report):
    library = libfaketime()
    log, stream, offset = tmp_path / "app.log", "clock", tmp_path / "clock-offset"
    offset.write_text("+0\n")
    clock = {"LD_PRELOAD": library, "FAKETIME_TIMESTAMP_FILE": str(offset), "FAKETIME_CACHE_DURATION": "1",
             "FAKETIME_DONT_FAKE_MONOTONIC": "1", "DONT_FAKE_MONOTONIC": "1"}
    agent = PushAgent(aws, tmp_path / "agent", {"app": section(log, GROUP, stream, buffer_duration=5000)})
    written, too_new, calls = 0, 0, []
    with agent:
        log.touch()
        agent.start(env=clock)
        agent.wait_started()
        for index, step in enumerate(CLOCK_STEPS):
            offset.write_text(f"{step}\n")
            time.sleep(1.5)  # libfaketime reads the offset once a second: the lines below are stamped with it
            before = accepted_requests(wire)
            with open(log, "a") as out:
                out.write("".join(f"seq {i:09d} clock {step}\n" for i in range(written, written + LINES_PER_STEP)))
            written += LINES_PER_STEP
            too_new += LINES_PER_STEP if step == "+10800" else 0
            time.sleep(0.5)  # read: a batch waits
            offset.write_text(f"{CLOCK_STEPS[(index + 1) % len(CLOCK_STEPS)]}\n")  # the clock steps under it
            settle(wire, GROUP, stream, written, timeout=30)  # a batch timer on the wall clock stalls here
            calls.append(accepted_requests(wire) - before)
        status = json.loads(aws.run("logs", "push", "--config-file", agent.config, "--status", "--json").stdout)
        assert agent.stop() == 0
    lost, duplicated = audit(stored_messages(logs, GROUP, stream), range(written))
    refused = status["streams"][0]["rejected"]["too_new"]
    torture_report("13 wall clock steps", written=written, lost=len(lost), duplicated=duplicated,
                   refused_too_new=refused, requests_per_step=" ".join(map(str, calls)))
    assert duplicated == 0 and len(lost) == too_new == refused  # lost: exactly the refused ones, counted
    assert max(calls) <= 2  # one batch a step (two, if reading split it): no flood of small batches
    logged = re.findall(r"the service rejected 0 too old, (\d+) too new and 0 expired events", agent.log_text())
    assert sum(map(int, logged)) == too_new
