"""SIGTERM at random moments in every state the agent can be in: each exit must come within a
few seconds plus the time left for what is buffered (--shutdown-timeout), and across all the
restarts nothing is lost or sent twice."""
import random
import signal
import time

from tests.harness.pushagent import PushAgent, audit, section, settle, stored_messages, wait_until
from tests.harness.wireproxy import THROTTLE, delay
from tests.harness.logwriter import LogWriter

GROUP, STREAM = "torture", "stops"
SHUTDOWN_S = 4
TEARDOWN_S = 3  # exit after the deadline or after the last batch: closing files, the state file, Python
IN_FLIGHT_S = 2  # a request the endpoint answers this late is in flight when the stop comes


def start_ready(agent, wire, before_calls):
    """Starts the agent and waits until it has sent something (its signal handlers are in place)."""
    agent.start("--shutdown-timeout", str(SHUTDOWN_S))
    wait_until(lambda: len(wire.calls_of("PutLogEvents")) > before_calls, 60, "the agent to start shipping")


def timed_stop(agent):
    started = time.monotonic()
    code = agent.stop(timeout=60)
    return code, time.monotonic() - started


def test_sigterm_at_random_moments_exits_promptly_and_loses_nothing(aws, wire, logs, tmp_path, profile, torture_report):
    rng = random.Random(22)
    rounds = max(2, profile.kills)
    log = tmp_path / "app.log"
    writer = LogWriter(log, per_second=5_000)
    exits = {}  # state -> [(exit code, seconds)]
    with PushAgent(aws, tmp_path / "agent", {"stops": section(log, GROUP, STREAM, batch_count=2000)}) as agent:
        writer.start()
        for round_number in range(rounds):
            for state in ("sending", "retrying", "request in flight", "idle", "reloading"):
                calls = len(wire.calls_of("PutLogEvents"))
                start_ready(agent, wire, calls)
                if state == "retrying":
                    wire.faults.at_random(1.0, [THROTTLE], actions=["PutLogEvents"], seed=round_number)
                    wait_until(lambda: any(c.fault for c in wire.calls_of("PutLogEvents")[calls:]), 30, "a throttled call")
                elif state == "request in flight":
                    wire.faults.queue(delay(IN_FLIGHT_S), action="PutLogEvents")
                    wait_until(lambda: wire.faults.pending() == 0, 30, "the slow request to start")
                elif state == "idle":
                    with writer.lock:
                        settle(wire, GROUP, STREAM, 1, timeout=60)
                        time.sleep(rng.uniform(0, 1))
                        exits.setdefault(state, []).append(timed_stop(agent))
                    continue
                elif state == "reloading":
                    agent.process.send_signal(signal.SIGHUP)
                    time.sleep(rng.uniform(0, 0.3))
                    exits.setdefault(state, []).append(timed_stop(agent))
                    continue
                time.sleep(rng.uniform(0, 1.0 if state != "request in flight" else 0.5))
                exits.setdefault(state, []).append(timed_stop(agent))
                wire.faults.clear()
        wire.faults.clear()
        written = writer.finish()
        agent.start()
        settle(wire, GROUP, STREAM, written)
        assert agent.stop() == 0
    messages = stored_messages(logs, GROUP, STREAM)
    lost, duplicated = audit(messages, range(written))
    slowest = {state: max(seconds for _, seconds in runs) for state, runs in exits.items()}
    torture_report("SIGTERM in five states", written=written, lost=len(lost), duplicated=duplicated,
                   stops=sum(map(len, exits.values())),
                   slowest=", ".join(f"{state} {seconds:.2f} s" for state, seconds in slowest.items()))
    assert all(code == 0 for runs in exits.values() for code, _ in runs), exits
    for state in ("idle", "reloading"):  # nothing buffered: no reason to wait at all
        assert slowest[state] <= TEARDOWN_S, (state, exits[state])
    for state in ("sending", "retrying", "request in flight"):
        assert slowest[state] <= SHUTDOWN_S + TEARDOWN_S, (state, exits[state])
    assert (lost, duplicated) == ([], 0)
