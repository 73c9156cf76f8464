"""Scenario 7: bad input and a bad state file. Nothing read may be lost, nothing may crash."""
import os
import subprocess
import time

import pytest

from tests.harness.pushagent import PushAgent, audit, section, settle, stored_messages, write_lines

GROUP = "torture"




def test_hostile_bytes_huge_lines_and_huge_events(aws, wire, logs, tmp_path, torture_report):
    text = tmp_path / "text.log"
    five_mb = "".join(f"{i:08d}ü" for i in range(555_556))  # 5,555,560 bytes, 2-byte characters throughout
    multi = "START of a 100,000-line event\n" + "\n".join(f"  continuation {i:06d}" for i in range(100_000))
    with open(text, "wb") as out:
        out.write(b"bad utf-8 \xff\xfe\xc3 here\nNUL \x00 inside\r\nCRLF line\r\n\n\nafter empty lines\n")
        out.write(five_mb.encode() + b"\n")
        out.write(multi.encode() + b"\n")
        out.write(b"last line without newline")
    binary = tmp_path / "binary.log"
    binary.write_bytes(os.urandom(200_000))
    sections = {"text": section(text, GROUP, "text"), "binary": section(binary, GROUP, "binary")}
    with PushAgent(aws, tmp_path / "agent", sections) as agent:
        agent.start()
        settle(wire, GROUP, "text", 12, timeout=60)  # the last line goes out after the idle second
        settle(wire, GROUP, "binary", 1, timeout=60)
        assert agent.process.poll() is None
        assert agent.stop() == 0
    messages = stored_messages(logs, GROUP, "text")
    assert messages[:4] == ["bad utf-8 \ufffd\ufffd\ufffd here", "NUL \x00 inside", "CRLF line\n\n", "after empty lines"]
    assert messages[-1] == "last line without newline"
    big_parts = [m for m in messages if m[:8].isdigit()]
    assert "".join(big_parts) == five_mb and all(len(p.encode()) <= 1_048_550 for p in big_parts)
    event_parts = messages[4 + len(big_parts):-1]
    assert "\n".join(event_parts) == multi and all(len(p.encode()) <= 1_048_550 for p in event_parts)
    binary_bytes = sum(len(m.encode()) for m in stored_messages(logs, GROUP, "binary"))
    torture_report("7 bad input", events=len(messages), five_mb_parts=len(big_parts),
                   event_100k_lines_parts=len(event_parts), binary_events=len(stored_messages(logs, GROUP, "binary")),
                   binary_bytes_stored=binary_bytes)


def test_corrupt_state_file_is_moved_aside(aws, wire, logs, tmp_path, torture_report):
    log = tmp_path / "app.log"
    write_lines(log, 0, 500, mode="w")
    agent = PushAgent(aws, tmp_path / "agent", {"app": section(log, GROUP, "corrupt")})
    agent.state_file.write_bytes(b"SQLite format 3\x00" + os.urandom(8000))
    with agent:
        agent.start()
        settle(wire, GROUP, "corrupt", 500)
        assert agent.stop() == 0
        log_text = agent.log_text()
    assert "is damaged (file is not a database); moved it to" in log_text
    assert "starting without state: [app] reads 1 file(s) again from their start (51,500 bytes)" in log_text
    assert any(p.name.startswith("agent-state.corrupt-") for p in agent.folder.iterdir())
    lost, duplicated = audit(stored_messages(logs, GROUP, "corrupt"), range(500))
    torture_report("7 corrupt state file", written=500, lost=len(lost), duplicated=duplicated)
    assert (lost, duplicated) == ([], 0)


def test_state_disk_full_keeps_shipping_and_recovers(aws, wire, logs, tmp_path, torture_report):
    disk = tmp_path / "tiny"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(disk)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        log = tmp_path / "app.log"
        write_lines(log, 0, 1000, mode="w")
        agent = PushAgent(aws, tmp_path / "agent", {"app": section(log, GROUP, "full")},
                          {"state_file": str(disk / "agent-state")})
        with agent:
            agent.start()
            settle(wire, GROUP, "full", 1000)
            filler = disk / "filler"
            subprocess.run(["dd", "if=/dev/zero", f"of={filler}", "bs=64k"], capture_output=True)  # fills the disk
            for start in range(1000, 5000, 1000):
                write_lines(log, start, 1000)
                time.sleep(0.6)
            settle(wire, GROUP, "full", 5000)
            assert agent.process.poll() is None  # still running
            filler.unlink()
            write_lines(log, 5000, 1000)
            settle(wire, GROUP, "full", 6000)
            assert agent.stop() == 0
            log_text = agent.log_text()
            agent.start()  # the state file must open cleanly and resume
            time.sleep(3)
            write_lines(log, 6000, 100)
            settle(wire, GROUP, "full", 6100)
            assert agent.stop() == 0
            second_run = agent.log_text()
    finally:
        subprocess.run(["umount", str(disk)], capture_output=True)
    messages = stored_messages(logs, GROUP, "full")
    lost, duplicated = audit(messages, range(6100))
    torture_report("7 state disk full", written=6100, stored=len(messages), lost=len(lost), duplicated=duplicated,
                   warnings=log_text.count("cannot be written: No space left on device"))
    assert log_text.count("cannot be written: No space left on device") == 1  # one WARNING for the episode
    assert "unreadable" not in second_run
    assert lost == [] and duplicated == 0  # the state was written again once there was room, before the restart
