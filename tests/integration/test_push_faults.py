"""The endpoint fails: an outage, throttling and 5xx. Nothing may be lost."""
import time

from tests.harness.pushagent import PushAgent, audit, wait_until, write_lines
from tests.harness.wireproxy import SERVER_ERROR, THROTTLE, UNAVAILABLE, error_status
from tests.harness.appstream import GROUP, STREAM, report, section, stored


def test_endpoint_down_for_20_s_mid_push(aws, logs, wire, tmp_path):
    log = tmp_path / "app.log"
    write_lines(log, 0, 100_000, mode="w")
    with PushAgent(aws, tmp_path / "agent", {"app": section(log)}) as agent:
        agent.start()
        wait_until(lambda: wire.accepted_events(GROUP, STREAM) >= 20_000, 60, "20,000 accepted events")
        wire.faults.set_down(True)
        time.sleep(20)
        write_lines(log, 100_000, 5000)  # written during the outage
        refused = sum(1 for c in wire.calls_of("PutLogEvents") if c.status == 0)
        wire.faults.set_down(False)
        wait_until(lambda: wire.accepted_events(GROUP, STREAM) >= 105_000, 120, "105,000 accepted events")
        time.sleep(1)
        assert agent.stop() == 0
    messages = stored(logs)
    lost, duplicated = audit(messages, range(105_000))
    report("endpoint down 20 s", 105_000, messages, lost, duplicated, refused_requests=refused)
    assert refused >= 3  # it kept trying, with backoff
    assert (lost, duplicated) == ([], 0)


def test_30_percent_throttling_and_5xx(aws, logs, wire, tmp_path):
    log = tmp_path / "app.log"
    write_lines(log, 0, 100_000, mode="w")
    wire.faults.at_random(0.3, [THROTTLE, SERVER_ERROR, UNAVAILABLE], actions=["PutLogEvents"], seed=7)
    with PushAgent(aws, tmp_path / "agent", {"app": section(log, batch_count=2000)}) as agent:
        agent.start()
        wait_until(lambda: wire.accepted_events(GROUP, STREAM) >= 100_000, 180, "100,000 accepted events")
        time.sleep(1)
        assert agent.stop() == 0
    faults = [c.fault for c in wire.calls_of("PutLogEvents") if c.fault]
    messages = stored(logs)
    lost, duplicated = audit(messages, range(100_000))
    report("30% throttling and 5xx", 100_000, messages, lost, duplicated, injected_faults=len(faults))
    assert len(faults) >= 10 and {f.split()[0] for f in faults} == {"400", "500", "503"}
    assert (lost, duplicated) == ([], 0)


def test_group_creation_refused_for_a_while_does_not_stop_the_stream(aws, logs, wire, tmp_path):
    denied = error_status(400, "AccessDeniedException", "not yet allowed")
    wire.faults.queue(denied, action="CreateLogGroup", times=3)
    log = tmp_path / "app.log"
    write_lines(log, 0, 500, mode="w")
    with PushAgent(aws, tmp_path / "agent", {"app": section(log)}) as agent:
        agent.start()
        wait_until(lambda: wire.accepted_events(GROUP, STREAM) >= 500, 60, "500 accepted events")
        assert agent.stop() == 0
        assert "creating app/web-1: AccessDeniedException: not yet allowed" in agent.log_text()
    assert [c.status for c in wire.calls_of("CreateLogGroup")][:4] == [400, 400, 400, 200]
    assert audit(stored(logs), range(500)) == ([], 0)
