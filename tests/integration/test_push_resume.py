"""`aws logs push` ships a file exactly once, across clean restarts, SIGTERM and kill -9."""
import signal
import time

from tests.harness.appstream import GROUP, STREAM, report, section, stored
from tests.harness.pushagent import PushAgent, audit, wait_until, write_lines

def test_200000_lines_exactly_once_in_order_and_restarts_resend_nothing(aws, logs, wire, tmp_path):
    log = tmp_path / "app.log"
    write_lines(log, 0, 200_000, mode="w")
    with PushAgent(aws, tmp_path / "agent", {"app": section(log)}) as agent:
        agent.start()
        wait_until(lambda: wire.accepted_events(GROUP, STREAM) >= 200_000, 120, "200,000 accepted events")
        assert agent.stop() == 0
        calls_after_first_run = len(wire.calls_of("PutLogEvents"))
        for _ in range(2):
            agent.start()
            time.sleep(2.5)
            assert agent.stop() == 0
        assert len(wire.calls_of("PutLogEvents")) == calls_after_first_run
    messages = stored(logs)
    lost, duplicated = audit(messages, range(200_000))
    report("200k + 2 restarts", 200_000, messages, lost, duplicated)
    assert (lost, duplicated) == ([], 0)
    assert messages == sorted(messages)  # in order
    line_bytes = len(messages[0].encode())
    full = min(10_000, 1_048_576 // (line_bytes + 26))  # 8,192 for these lines: the byte limit binds
    assert max(c.event_count for c in wire.calls_of("PutLogEvents")) == full


def test_sigterm_mid_push_then_more_lines_then_restart(aws, logs, wire, tmp_path):
    log = tmp_path / "app.log"
    write_lines(log, 0, 200_000, mode="w")
    with PushAgent(aws, tmp_path / "agent", {"app": section(log)}) as agent:
        agent.start()
        wait_until(lambda: wire.accepted_events(GROUP, STREAM) >= 30_000, 60, "30,000 accepted events")
        assert agent.stop(signal.SIGTERM) == 0
        assert "stopping: sending what is buffered" in agent.log_text()
        write_lines(log, 200_000, 10_000)
        agent.start()
        wait_until(lambda: wire.accepted_events(GROUP, STREAM) >= 210_000, 120, "210,000 accepted events")
        assert agent.stop() == 0
    messages = stored(logs)
    lost, duplicated = audit(messages, range(210_000))
    report("SIGTERM mid-push", 210_000, messages, lost, duplicated)
    assert (lost, duplicated) == ([], 0)


def test_kill_9_mid_push_loses_nothing_and_resends_at_most_the_batch_in_flight(aws, logs, wire, tmp_path):
    log = tmp_path / "app.log"
    write_lines(log, 0, 200_000, mode="w")
    with PushAgent(aws, tmp_path / "agent", {"app": section(log)}) as agent:
        agent.start()
        wait_until(lambda: wire.accepted_events(GROUP, STREAM) >= 50_000, 60, "50,000 accepted events")
        agent.kill()
        agent.start()
        wait_until(lambda: wire.accepted_events(GROUP, STREAM) >= 200_000, 120, "200,000 accepted events")
        time.sleep(1.0)  # anything sent twice would arrive by now
        assert agent.stop() == 0
    messages = stored(logs)
    lost, duplicated = audit(messages, range(200_000))
    in_flight_bound = 10_000  # one batch per stream is sent at a time; queued batches were never sent
    report("kill -9 mid-push", 200_000, messages, lost, duplicated, bound=in_flight_bound)
    assert lost == []
    assert duplicated <= in_flight_bound
