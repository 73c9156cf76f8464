"""Scenarios 3 and 4: a rotation storm, then files deleted, replaced by symlinks, made unreadable."""
import os
import time

import pytest

from tests.harness.awscli import nobody_cannot_run_aws, nobody_cli
from tests.harness.logwriter import LogWriter
from tests.harness.pushagent import PushAgent, audit, section, settle, stored_messages, wait_until, write_lines

GROUP = "torture"


def test_rename_storm_then_copytruncate_storm(aws, wire, logs, tmp_path, profile, torture_report):
    log = tmp_path / "app.log"
    writer = LogWriter(log, per_second=5000)
    with PushAgent(aws, tmp_path / "agent", {"storm": section(log, GROUP, "storm")}) as agent:
        agent.start()
        writer.start()
        end = time.monotonic() + profile.storm_s
        while time.monotonic() < end:  # rename-and-create every 200 ms; old file written 100 ms more
            time.sleep(0.2)
            writer.rename_rotate(late_writes_s=0.1)
        renames = writer.rotations
        after_renames = writer.next
        end = time.monotonic() + profile.copytruncate_s
        while time.monotonic() < end:  # then copytruncate every 500 ms
            time.sleep(0.5)
            writer.copytruncate()
        written = writer.finish()
        settle(wire, GROUP, "storm", written, timeout=240)
        assert agent.stop() == 0
        log_text = agent.log_text()
    messages = stored_messages(logs, GROUP, "storm")
    lost, duplicated = audit(messages, range(written))
    lost_in_renames = [seq for seq in lost if seq < after_renames]
    torture_report("3 rotation storm", written=written, stored=len(messages), renames=renames,
                   copytruncates=writer.rotations - renames, lost_rename=len(lost_in_renames),
                   lost_copytruncate=len(lost) - len(lost_in_renames), duplicated=duplicated)
    assert "rotated before a poll saw it" in log_text or "rotated or removed" in log_text
    assert "from its copy" in log_text
    assert duplicated == 0
    assert lost_in_renames == []
    assert lost == []  # the writer pauses during each copy-and-truncate, so nothing falls in between


def test_delete_and_recreate_and_symlink(aws, wire, logs, tmp_path, torture_report):
    log = tmp_path / "app.log"
    write_lines(log, 0, 1000, mode="w")
    with PushAgent(aws, tmp_path / "agent", {"files": section(log, GROUP, "files")}) as agent:
        agent.start()
        wait_until(lambda: wire.accepted_events(GROUP, "files") >= 1000, 30, "the first file")
        os.unlink(log)
        time.sleep(0.5)
        write_lines(log, 1000, 1000, mode="w")  # recreated under the same name
        wait_until(lambda: wire.accepted_events(GROUP, "files") >= 2000, 30, "the recreated file")
        target = tmp_path / "elsewhere.log"
        write_lines(target, 2000, 500, mode="w")
        os.unlink(log)
        os.symlink(target, log)  # the file replaced by a symlink
        wait_until(lambda: wire.accepted_events(GROUP, "files") >= 2500, 30, "the symlink's target")
        write_lines(target, 2500, 500)
        settle(wire, GROUP, "files", 3000)
        assert agent.stop() == 0
    messages = stored_messages(logs, GROUP, "files")
    lost, duplicated = audit(messages, range(3000))
    torture_report("4 delete, recreate, symlink", written=3000, stored=len(messages), lost=len(lost),
                   duplicated=duplicated)
    assert (lost, duplicated) == ([], 0)


def test_unreadable_file_is_warned_about_and_picked_up_later(wire, logs, torture_report):
    """Run as nobody (root reads anything): chmod 000 means something only then. pytest's own
    temporary folders are root's alone, so this one works in a folder of its own."""
    if nobody_cannot_run_aws():
        pytest.skip(nobody_cannot_run_aws())
    with nobody_cli(wire.url) as (aws, work):
        locked, open_log = work / "locked.log", work / "open.log"
        write_lines(locked, 0, 100, mode="w")
        write_lines(open_log, 100, 100, mode="w")
        locked.chmod(0o000)
        agent = PushAgent(aws, work / "agent", {"locked": section(locked, GROUP, "locked"), "open": section(open_log, GROUP, "open")})
        (work / "agent").chmod(0o777)
        agent.config.chmod(0o644)
        with agent:
            agent.start()
            wait_until(lambda: wire.accepted_events(GROUP, "open") >= 100, 30, "the readable file's lines")
            time.sleep(1)
            assert wire.accepted_events(GROUP, "locked") == 0
            locked.chmod(0o644)
            wait_until(lambda: wire.accepted_events(GROUP, "locked") >= 100, 30, "the file once readable")
            assert agent.stop() == 0
            log_text = agent.log_text()
    assert f"cannot read {locked}: permission denied; will retry" in log_text
    assert log_text.count("permission denied") == 1  # warned once, not at every poll
    lost, duplicated = audit(stored_messages(logs, GROUP, "locked") + stored_messages(logs, GROUP, "open"), range(200))
    torture_report("4 unreadable file (chmod 000)", written=200, lost=len(lost), duplicated=duplicated)
    assert (lost, duplicated) == ([], 0)
