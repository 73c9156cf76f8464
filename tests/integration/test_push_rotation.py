"""Rotation: by rename with late writes, truncation keeping the first line, and while stopped."""
import os
import time

from tests.harness.pushagent import PacedWriter as Writer, PushAgent, audit, wait_until, write_lines
from tests.harness.appstream import GROUP, STREAM, report, section, stored


def test_rename_rotation_with_writes_to_the_old_file_for_3_s(aws, logs, wire, tmp_path):
    log = tmp_path / "app.log"
    writer = Writer(log)
    with PushAgent(aws, tmp_path / "agent", {"app": section(log)}) as agent:
        agent.start()
        writer.start()
        # the agent must follow app.log before it is renamed: one that starts later (a loaded machine:
        # 3 s to import the CLI) finds app.log.1 a rotated file from before its start, which it does not read
        wait_until(lambda: wire.accepted_events(GROUP, STREAM) > 0, 60, "the agent following app.log")
        time.sleep(1)
        os.rename(log, tmp_path / "app.log.1")
        log.touch()  # logrotate's create: the new file exists while the writer still writes the old one
        time.sleep(3)
        writer.reopen(log)  # the writer reopens only now, as after a late SIGHUP
        time.sleep(2)
        written = writer.stop()
        wait_until(lambda: wire.accepted_events(GROUP, STREAM) >= written, 60,
                   f"{written} accepted events (so far {wire.accepted_events(GROUP, STREAM)}): {agent.log_text()}")
        time.sleep(1)
        assert agent.stop() == 0
    messages = stored(logs)
    lost, duplicated = audit(messages, range(written))
    report("rename rotation, 3 s of late writes", written, messages, lost, duplicated)
    assert (lost, duplicated) == ([], 0)


def test_truncation_keeping_the_same_first_line_is_detected(aws, logs, wire, tmp_path):
    log = tmp_path / "app.log"
    header = "# application log, format v1\n"
    log.write_text(header)
    write_lines(log, 0, 1000)
    with PushAgent(aws, tmp_path / "agent", {"app": section(log)}) as agent:
        agent.start()
        wait_until(lambda: wire.accepted_events(GROUP, STREAM) >= 1001, 30, "the first 1,001 lines")
        with open(log, "r+") as out:  # copytruncate, then more than before is written at once
            out.truncate(0)
            out.write(header)
        write_lines(log, 1000, 3000)
        wait_until(lambda: wire.accepted_events(GROUP, STREAM) >= 1001 + 3001, 30, "the lines after the truncation")
        time.sleep(1)
        assert agent.stop() == 0
        assert "truncated or rewritten" in agent.log_text()
    messages = stored(logs)
    lost, duplicated = audit(messages, range(4000))
    report("truncation, same first line", 4000, messages, lost, duplicated)
    assert (lost, duplicated) == ([], 0)
    assert messages.count(header.strip()) == 2


def test_rotation_while_the_agent_is_stopped_with_a_backlog(aws, logs, wire, tmp_path):
    log = tmp_path / "app.log"
    write_lines(log, 0, 5000, mode="w")
    with PushAgent(aws, tmp_path / "agent", {"app": section(log)}) as agent:
        agent.start()
        wait_until(lambda: wire.accepted_events(GROUP, STREAM) >= 5000, 30, "5,000 accepted events")
        assert agent.stop() == 0
        write_lines(log, 5000, 20_000)  # backlog written while the agent is down
        os.rename(log, tmp_path / "app.log.1")
        write_lines(log, 25_000, 3000, mode="w")
        agent.start()
        wait_until(lambda: wire.accepted_events(GROUP, STREAM) >= 28_000, 60, "28,000 accepted events")
        time.sleep(1)
        assert agent.stop() == 0
        assert "rotated while the agent was stopped" in agent.log_text()
    messages = stored(logs)
    lost, duplicated = audit(messages, range(28_000))
    report("rotation while stopped", 28_000, messages, lost, duplicated)
    assert (lost, duplicated) == ([], 0)


def test_rotation_while_stopped_to_an_empty_new_file(aws, logs, wire, tmp_path):
    log = tmp_path / "app.log"
    write_lines(log, 0, 100, mode="w")
    with PushAgent(aws, tmp_path / "agent", {"app": section(log)}) as agent:
        agent.start()
        wait_until(lambda: wire.accepted_events(GROUP, STREAM) >= 100, 30, "100 accepted events")
        assert agent.stop() == 0
        write_lines(log, 100, 900)
        os.rename(log, tmp_path / "app.log.1")
        log.touch()  # the new live file has no line yet: it cannot be fingerprinted
        agent.start()
        wait_until(lambda: wire.accepted_events(GROUP, STREAM) >= 1000, 30, "the backlog")
        write_lines(log, 1000, 10)
        wait_until(lambda: wire.accepted_events(GROUP, STREAM) >= 1010, 30, "the new file's lines")
        assert agent.stop() == 0
    lost, duplicated = audit(stored(logs), range(1010))
    assert (lost, duplicated) == ([], 0)
