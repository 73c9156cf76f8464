"""Scenario 12: the state file's disk fails the agent: full at a start, full for a minute while it
ships, too small for a first start, read-only, its folder removed, the file overwritten with
garbage while the agent runs or while it is stopped. Each time: 0 lost, 0 duplicated, one
WARNING and one INFO, and the state file is never discarded for a fault of the disk.

The state file sits on a tmpfs the test mounts (root only; skipped with its reason elsewhere).
The kernel refuses a read-only remount while a file on it is open for writing (EBUSY), which the
running agent's state file is: the read-only case starts the agent on a read-only disk and makes
it writable under the running agent (a host gets the other way round from errors=remount-ro)."""
import os
import re
import shutil
import time

from tests.harness.pushagent import (PacedWriter, PushAgent, audit, section, settle, start_shipping,
                                     stored_messages, wait_until, write_lines)
from tests.harness.smalldisk import SmallDisk

GROUP = "torture"


def state_lines(log_text, path, level):
    """The agent's log lines of ``level`` about the state file at ``path``."""
    return [line for line in log_text.splitlines() if f" {level} " in line and str(path) in line]


def agent_on(disk, aws, tmp_path, log, stream, **general):
    """(agent, its state file): a section following ``log``, its state file on the small disk."""
    state = disk.folder / "agent-state"
    return PushAgent(aws, tmp_path / "agent", {"app": section(log, GROUP, stream)},
                     {"state_file": str(state), **general}), state


def first_lines(agent, wire, log, stream, count):
    """``count`` lines written, the agent started, and all of them shipped."""
    write_lines(log, 0, count, mode="w")
    agent.start()
    settle(wire, GROUP, stream, count)


def written_again_then_stopped(agent):
    """Waits for the INFO that ends the episode, stops the agent cleanly; returns its log."""
    wait_until(lambda: "written again" in agent.log_text(), 30, "the state file written again")
    assert agent.stop() == 0
    return agent.log_text()


def run_once_more(agent, wire, log, stream, start, count=1000):
    """A restart after the fault: the new lines alone go out."""
    agent.start()
    write_lines(log, start, count)
    settle(wire, GROUP, stream, start + count)
    assert agent.stop() == 0
    return agent.log_text()


def test_full_disk_at_start_with_a_healthy_state_file(aws, wire, logs, tmp_path, torture_report):
    log, stream = tmp_path / "app.log", "full-at-start"
    with SmallDisk(tmp_path / "var", "1m") as disk:
        agent, state = agent_on(disk, aws, tmp_path, log, stream)
        with agent:
            first_lines(agent, wire, log, stream, 20_000)
            assert agent.stop() == 0
            healthy = state.stat().st_size
            disk.fill()
            agent.start()
            for start in range(20_000, 30_000, 2_000):
                write_lines(log, start, 2_000)
                time.sleep(0.5)
            settle(wire, GROUP, stream, 30_000)
            status = aws.run("logs", "push", "--config-file", agent.config, "--status").stdout
            assert agent.process.poll() is None
            disk.free()
            episode = written_again_then_stopped(agent)
            run_once_more(agent, wire, log, stream, 30_000)
            names = sorted(p.name for p in disk.folder.iterdir())
    lost, duplicated = audit(stored_messages(logs, GROUP, stream), range(31_000))
    torture_report("12 full disk at start", written=31_000, lost=len(lost), duplicated=duplicated,
                   state_file_bytes=healthy)
    assert (lost, duplicated) == ([], 0)
    assert names == ["agent-state", "agent-state.lock", "agent-state.previous"]  # nothing set aside
    [warning] = [line for line in episode.splitlines() if " WARNING " in line]  # the one of the log
    assert "can be read but not written: No space left on device (SQLite: " in warning
    [info] = [line for line in state_lines(episode, state, "INFO") if "written again" in line]
    assert "No space left on device" in info and "a kill -9 during that time would have sent 10,000 event(s)" in info
    assert "  state file: not written since " in status and "No space left on device" in status


def test_a_disk_full_for_a_minute_while_shipping(aws, wire, logs, tmp_path, torture_report):
    log, stream, textfile = tmp_path / "app.log", "full-for-a-minute", tmp_path / "metrics.prom"
    with SmallDisk(tmp_path / "var", "1m") as disk:
        agent, state = agent_on(disk, aws, tmp_path, log, stream, metrics_textfile=str(textfile), metrics_interval=1)
        with agent:
            first_lines(agent, wire, log, stream, 5_000)
            disk.fill()
            written, began, status = 5_000, time.monotonic(), ""
            while time.monotonic() - began < 60:
                write_lines(log, written, 1_000)
                written += 1_000
                time.sleep(5)
                if not status and time.monotonic() - began > 30:
                    status = aws.run("logs", "push", "--config-file", agent.config, "--status").stdout
            settle(wire, GROUP, stream, written)
            failures = int(re.search(r"awslogs_push_state_write_failures_total\{[^}]*\} (\d+)",
                                     textfile.read_text())[1])
            disk.free()
            episode = written_again_then_stopped(agent)
            run_once_more(agent, wire, log, stream, written)
    lost, duplicated = audit(stored_messages(logs, GROUP, stream), range(written + 1000))
    [warning] = [line for line in episode.splitlines() if " WARNING " in line]  # the one of the log
    [info] = [line for line in state_lines(episode, state, "INFO") if "written again" in line]
    length = int(re.search(r"written again after (\d+) s", info)[1])
    torture_report("12 disk full for a minute", written=written + 1000, lost=len(lost), duplicated=duplicated,
                   episode_s=length, state_write_failures=failures)
    assert (lost, duplicated) == ([], 0)
    assert "cannot be written: No space left on device (SQLite: " in warning
    assert length >= 60 and "No space left on device" in info
    assert failures > 0 and "state file: not written since" in status and "No space left on device" in status


def test_a_first_start_on_a_disk_too_small_for_the_state_file_ships_from_memory(aws, wire, logs, tmp_path,
                                                                               torture_report):
    log, stream = tmp_path / "app.log", "too-small"
    with SmallDisk(tmp_path / "var", "32k") as disk:
        agent, state = agent_on(disk, aws, tmp_path, log, stream)
        with agent:
            first_lines(agent, wire, log, stream, 5_000)
            assert agent.process.poll() is None
            disk.remount("size=2m")  # the operator grows the disk
            first = written_again_then_stopped(agent)
            run_once_more(agent, wire, log, stream, 5_000)
    lost, duplicated = audit(stored_messages(logs, GROUP, stream), range(6_000))
    torture_report("12 first start, disk too small", written=6_000, lost=len(lost), duplicated=duplicated)
    assert (lost, duplicated) == ([], 0)
    [warning] = state_lines(first, state, "WARNING")
    assert "cannot be created: No space left on device" in warning


def test_a_read_only_state_disk_is_used_until_it_can_be_written(aws, wire, logs, tmp_path, torture_report):
    log, stream = tmp_path / "app.log", "read-only"
    with SmallDisk(tmp_path / "var", "1m") as disk:
        agent, state = agent_on(disk, aws, tmp_path, log, stream)
        with agent:
            first_lines(agent, wire, log, stream, 5_000)
            assert agent.stop() == 0
            disk.remount("ro")
            agent.start()
            for start in range(5_000, 10_000, 1_000):
                write_lines(log, start, 1_000)
                time.sleep(0.5)
            settle(wire, GROUP, stream, 10_000)
            second = aws.run("logs", "push", "--config-file", agent.config)  # the lock holds on a read-only disk
            pid = agent.process.pid
            status = aws.run("logs", "push", "--config-file", agent.config, "--status").stdout
            disk.remount("rw")
            episode = written_again_then_stopped(agent)
            run_once_more(agent, wire, log, stream, 10_000)
    lost, duplicated = audit(stored_messages(logs, GROUP, stream), range(11_000))
    torture_report("12 read-only state disk", written=11_000, lost=len(lost), duplicated=duplicated)
    assert (lost, duplicated) == ([], 0)
    [warning] = state_lines(episode, state, "WARNING")
    assert "can be read but not written: Read-only file system" in warning
    assert second.returncode == 255 and f"another agent (pid {pid})" in second.stderr
    assert status.startswith(f"agent: running (pid {pid})\n  state file: unknown: the agent cannot write its note")
    assert "state file's disk: read-only" in status


def test_the_state_folder_removed_while_the_agent_runs(aws, wire, logs, tmp_path, torture_report):
    log, stream, folder = tmp_path / "app.log", "folder-removed", tmp_path / "lib" / "awslogs"
    agent = PushAgent(aws, tmp_path / "agent", {"app": section(log, GROUP, stream)},
                      {"state_file": str(folder / "agent-state")})
    writer = PacedWriter(log)
    with agent:
        start_shipping(agent, writer, wire, GROUP, stream)
        shutil.rmtree(folder.parent)  # an over-eager cleanup
        wait_until(lambda: "was removed" in agent.log_text(), 30, "the removal noticed")
        second = aws.run("logs", "push", "--config-file", agent.config)  # the lock file was made again too
        assert agent.stop() == 0
        removal = agent.log_text()
        agent.start()
        time.sleep(2)
        written = writer.stop()
        settle(wire, GROUP, stream, written)
        assert agent.stop() == 0
    lost, duplicated = audit(stored_messages(logs, GROUP, stream), range(written))
    torture_report("12 state folder removed", written=written, lost=len(lost), duplicated=duplicated)
    assert (lost, duplicated) == ([], 0)
    [warning] = state_lines(removal, folder / "agent-state", "WARNING")
    assert "was removed (or its folder) while the agent ran; writing it again with every position" in warning
    assert second.returncode == 255 and os.stat(folder).st_mode & 0o777 == 0o700


def test_garbage_over_the_state_file_while_running_and_while_stopped(aws, wire, logs, tmp_path, torture_report):
    log, stream = tmp_path / "app.log", "garbage"
    agent = PushAgent(aws, tmp_path / "agent", {"app": section(log, GROUP, stream)})
    writer = PacedWriter(log)
    with agent:
        start_shipping(agent, writer, wire, GROUP, stream)
        with open(agent.state_file, "r+b") as state:  # in place, under the running agent
            state.write(os.urandom(16384))
        wait_until(lambda: "was overwritten" in agent.log_text(), 30, "the garbage noticed")
        with writer.paused():
            assert agent.stop() == 0
            agent.state_file.write_bytes(b"SQLite format 3\x00" + os.urandom(8000))  # while it is stopped
        running = agent.log_text()
        agent.start()
        time.sleep(2)
        written = writer.stop()
        settle(wire, GROUP, stream, written)
        assert agent.stop() == 0
        stopped = agent.log_text()
    lost, duplicated = audit(stored_messages(logs, GROUP, stream), range(written))
    torture_report("12 garbage over the state file", written=written, lost=len(lost), duplicated=duplicated)
    assert (lost, duplicated) == ([], 0)
    [warning] = state_lines(running, agent.state_file, "WARNING")
    assert "was overwritten with something that is not SQLite" in warning and "nothing is sent again" in warning
    [warning] = state_lines(stopped, agent.state_file, "WARNING")
    assert "is damaged (" in warning and f"resumed from {agent.state_file}.previous, the copy of the last clean stop" \
        in warning


def test_a_damaged_state_file_without_a_copy_says_what_the_start_sends_again(aws, wire, logs, tmp_path,
                                                                             torture_report):
    log, stream = tmp_path / "app.log", "damaged"
    write_lines(log, 0, 500, mode="w")
    agent = PushAgent(aws, tmp_path / "agent", {"app": section(log, GROUP, stream)})
    agent.state_file.write_bytes(b"SQLite format 3\x00" + os.urandom(8000))
    with agent:
        agent.start()
        settle(wire, GROUP, stream, 500)
        assert agent.stop() == 0
        log_text = agent.log_text()
    lost, duplicated = audit(stored_messages(logs, GROUP, stream), range(500))
    torture_report("12 damaged state file, no copy", written=500, lost=len(lost), duplicated=duplicated)
    assert (lost, duplicated) == ([], 0)
    [warning] = state_lines(log_text, agent.state_file, "WARNING")
    assert "is damaged (" in warning and "; moved it to " in warning
    assert warning.endswith(f"starting without state: [app] reads 1 file(s) again from their start "
                            f"({log.stat().st_size:,} bytes): what was sent before is sent again")
