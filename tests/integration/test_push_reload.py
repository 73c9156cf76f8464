"""SIGHUP re-reads the config: sections added, removed and changed; a broken file is refused."""
import os
import signal
import time

from tests.harness.pushagent import PushAgent, assert_delivered, section, stored_messages, wait_until, write_lines

GROUP = "reload"


def config_text(agent, sections):
    text = f"[general]\nstate_file = {agent.state_file}\n"
    for name, values in sections.items():
        text += f"\n[{name}]\n" + "".join(f"{k} = {v}\n" for k, v in values.items())
    return text


def test_sighup_adds_removes_changes_and_refuses_a_broken_config(aws, logs, wire, tmp_path):
    a, b, c = (tmp_path / f"{name}.log" for name in "abc")
    for path in (a, b, c):
        write_lines(path, 0, 1000, mode="w")
    first = {"a": section(a, GROUP, "a"), "b": section(b, GROUP, "b")}
    second = {"a": section(a, GROUP, "a", buffer_duration=300), "c": section(c, GROUP, "c")}
    with PushAgent(aws, tmp_path / "agent", first) as agent:
        agent.start()
        wait_until(lambda: wire.accepted_events(GROUP, "a") >= 1000 and wire.accepted_events(GROUP, "b") >= 1000,
                   60, "a and b shipped")
        write_lines(a, 1000, 1000)
        write_lines(b, 1000, 1000)  # written just before the reload that removes b: still sent
        agent.config.write_text(config_text(agent, second))
        agent.process.send_signal(signal.SIGHUP)
        wait_until(lambda: "reloaded" in agent.log_text(), 30, "the reload")
        write_lines(a, 2000, 1000)
        write_lines(b, 2000, 1000)  # b is no longer followed
        wait_until(lambda: wire.accepted_events(GROUP, "c") >= 1000 and wire.accepted_events(GROUP, "a") >= 3000,
                   60, "c started, a restarted")

        agent.config.write_text(config_text(agent, second) + "\n[broken]\nfile = x\n")  # no names: invalid
        agent.process.send_signal(signal.SIGHUP)
        wait_until(lambda: "reload refused" in agent.log_text(), 30, "the refusal")
        write_lines(a, 3000, 1000)
        write_lines(c, 1000, 1000)
        wait_until(lambda: wire.accepted_events(GROUP, "c") >= 2000 and wire.accepted_events(GROUP, "a") >= 4000,
                   60, "the running config still ships")
        time.sleep(1.5)
        assert agent.stop() == 0
    log = agent.log_text()
    print(log)
    assert "reloaded" in log and "1 section(s) kept" not in log  # a changed: stopped and started again
    assert "2 stopped, 2 started" in log
    refusal = [line for line in log.splitlines() if "reload refused" in line]
    assert len(refusal) == 1 and "[broken] log_group_name: missing (required)" in refusal[0]
    assert_delivered(logs, GROUP, "a", range(4000))
    assert_delivered(logs, GROUP, "b", range(2000))
    assert len(stored_messages(logs, GROUP, "b")) == 2000  # nothing after it was removed
    assert_delivered(logs, GROUP, "c", range(2000))


def test_signals_that_come_while_the_config_is_read_are_honoured(aws, wire, tmp_path):
    """logrotate's postrotate may send SIGHUP while the agent is still starting: SIGHUP's default
    action would end it. The config file is a FIFO here, so the agent is held inside reading it."""
    log = tmp_path / "a.log"
    write_lines(log, 0, 10, mode="w")
    agent = PushAgent(aws, tmp_path / "agent", {"a": section(log, GROUP, "early")})
    text = agent.config.read_text()
    agent.config.unlink()
    os.mkfifo(agent.config)
    with agent:
        agent.start()
        with open_when_read(agent.config, agent.process) as fifo:
            agent.process.send_signal(signal.SIGHUP)
            agent.process.send_signal(signal.SIGTERM)
            time.sleep(0.2)
            assert agent.process.poll() is None, agent.log_text()
            fifo.write(text)
        code = agent.process.wait(60)
        assert code == 0, agent.log_text()
        assert "stopping" in agent.log_text()


def open_when_read(fifo, process, timeout=60):
    """Opens the FIFO for writing once the agent has opened it to read."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "the agent ended before it read its config"
        try:
            return os.fdopen(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK), "w")
        except OSError:  # ENXIO: no reader yet
            time.sleep(0.01)
    raise AssertionError(f"the agent did not open {fifo} in {timeout} s")
