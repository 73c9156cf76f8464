"""Scenarios 5 and 6: endpoint faults and an outage; memory while a backlog builds up."""
import time

from tests.harness.pushagent import PushAgent, audit, section, settle, stored_messages, wait_until, write_lines
from tests.harness.wireproxy import SERVER_ERROR, THROTTLE, UNAVAILABLE, delay, lose_response, reset
from tests.harness.logwriter import LogWriter

GROUP = "torture"
RSS_LIMIT_MB = 80



def test_faults_then_an_outage(aws, wire, logs, tmp_path, profile, torture_report):
    log = tmp_path / "app.log"
    total = profile.fault_lines
    write_lines(log, 0, total // 2, mode="w")
    faults = [SERVER_ERROR, UNAVAILABLE, THROTTLE, reset, lose_response, delay(5), delay(7.5), delay(10)]
    wire.faults.at_random(0.3, faults, actions=["PutLogEvents"], seed=11)
    with PushAgent(aws, tmp_path / "agent", {"faults": section(log, GROUP, "faults", batch_count=2000)}) as agent:
        agent.start()
        wait_until(lambda: wire.accepted_events(GROUP, "faults") >= total // 2, 240, "the first half")
        wire.faults.at_random(0.0, [])
        wire.faults.set_down(True)
        write_lines(log, total // 2, total - total // 2)  # written during the outage
        time.sleep(profile.outage_s)
        wire.faults.set_down(False)
        settle(wire, GROUP, "faults", total)
        assert agent.stop() == 0
    calls = wire.calls_of("PutLogEvents")
    stored_after_lost_response = sum(c.event_count for c in calls if c.fault == "lose_response")
    messages = stored_messages(logs, GROUP, "faults")
    lost, duplicated = audit(messages, range(total))
    injected = {}
    for call in calls:
        if call.fault:
            injected[call.fault] = injected.get(call.fault, 0) + 1
    torture_report("5 endpoint faults + outage", written=total, stored=len(messages), lost=len(lost),
                   duplicated=duplicated, lost_responses_events=stored_after_lost_response,
                   faults=sum(injected.values()), outage_s=profile.outage_s)
    assert lost == []
    assert duplicated == stored_after_lost_response  # duplicates only where the endpoint stored but never answered
    assert len(injected) >= 4


def peak_rss_mb(pid):
    with open(f"/proc/{pid}/status") as status:
        fields = dict(line.split(":", 1) for line in status)
    return int(fields["VmHWM"].split()[0]) / 1024, int(fields["VmRSS"].split()[0]) / 1024


def test_memory_stays_flat_while_the_endpoint_is_down(aws, wire, logs, tmp_path, profile, torture_report):
    log = tmp_path / "app.log"
    payload = "y" * 1000  # long lines: the backlog is large in bytes, readable back in reasonable time
    line_bytes = len(f"seq {0:09d} {payload}\n")
    total = profile.backlog_mb * 1_000_000 // line_bytes
    write_lines(log, 0, 1000, mode="w", payload=payload)
    with PushAgent(aws, tmp_path / "agent", {"backlog": section(log, GROUP, "backlog")}) as agent:
        agent.start()
        wait_until(lambda: wire.accepted_events(GROUP, "backlog") >= 1000, 30, "the first lines")
        wire.faults.set_down(True)
        writer = LogWriter(log, per_second=total, total=total - 1000, payload=payload)
        writer.next = 1000
        writer.total = total
        writer.start()
        samples = []
        end = time.monotonic() + profile.backlog_outage_s
        while time.monotonic() < end:
            samples.append(peak_rss_mb(agent.process.pid)[1])
            time.sleep(0.5)
        writer.finish()
        wire.faults.set_down(False)
        settle(wire, GROUP, "backlog", total, timeout=600)
        peak, _ = peak_rss_mb(agent.process.pid)
        assert agent.stop() == 0
    messages = stored_messages(logs, GROUP, "backlog")
    lost, duplicated = audit(messages, range(total))
    torture_report("6 memory under backpressure", written=total, backlog_mb=profile.backlog_mb, lost=len(lost),
                   duplicated=duplicated, rss_during_outage_mb=f"{min(samples):.0f}-{max(samples):.0f}",
                   peak_rss_mb=f"{peak:.1f}")
    assert (lost, duplicated) == ([], 0)
    assert peak <= RSS_LIMIT_MB
