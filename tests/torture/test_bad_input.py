"""Scenario 7: bad input. Nothing read may be lost, nothing may crash. (A bad state file and its
disk's faults are scenario 12: test_state_faults.py.)"""
import os

from tests.harness.pushagent import PushAgent, section, settle, stored_messages

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
