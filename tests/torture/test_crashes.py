"""Scenarios 1 and 2: kill -9 and SIGTERM at random moments while the file grows and rotates."""
import random
import signal
import time

from tests.harness.pushagent import PushAgent, audit, section, settle, stored_messages
from tests.harness.logwriter import LogWriter

GROUP, STREAM = "torture", "crash"
BATCH_COUNT = 5000


def crash_section(path):
    return section(path, GROUP, STREAM, batch_count=BATCH_COUNT)


def interrupt_repeatedly(aws, wire, logs, tmp_path, profile, signum):
    rng = random.Random(1234 + signum)
    log = tmp_path / "app.log"
    writer = LogWriter(log, per_second=25_000, total=profile.crash_lines)
    rotate_every = max(1, profile.crash_lines // 5)
    codes = []
    with PushAgent(aws, tmp_path / "agent", {"crash": crash_section(log)}) as agent:
        agent.start()
        writer.start()
        for _ in range(profile.kills):
            if signum != signal.SIGKILL:
                agent.wait_started()
            deadline = time.monotonic() + rng.uniform(0.4, 2.0)
            while time.monotonic() < deadline:
                if writer.next >= rotate_every * (writer.rotations + 1) and writer.is_alive():
                    writer.rename_rotate()
                time.sleep(0.05)
            codes.append(agent.stop(signum))
            agent.start()
        written = writer.finish()
        settle(wire, GROUP, STREAM, written)
        assert agent.stop() == 0
    messages = stored_messages(logs, GROUP, STREAM)
    lost, duplicated = audit(messages, range(written))
    return written, messages, lost, duplicated, codes, writer.rotations


def test_crash_loop_kill_9(aws, wire, logs, tmp_path, profile, torture_report):
    written, messages, lost, duplicated, codes, rotations = interrupt_repeatedly(
        aws, wire, logs, tmp_path, profile, signal.SIGKILL)
    bound = profile.kills * BATCH_COUNT  # at most one batch in flight per stream at each kill
    torture_report("1 crash loop (kill -9)", written=written, stored=len(messages), lost=len(lost),
                   duplicated=duplicated, kills=profile.kills, rotations=rotations, in_flight_bound=bound)
    assert codes == [-signal.SIGKILL] * profile.kills
    assert lost == [] and duplicated <= bound


def test_graceful_sigterm_loop(aws, wire, logs, tmp_path, profile, torture_report):
    written, messages, lost, duplicated, codes, rotations = interrupt_repeatedly(
        aws, wire, logs, tmp_path, profile, signal.SIGTERM)
    torture_report("2 graceful (SIGTERM)", written=written, stored=len(messages), lost=len(lost),
                   duplicated=duplicated, stops=profile.kills, rotations=rotations)
    assert codes == [0] * profile.kills
    assert (lost, duplicated) == ([], 0)
