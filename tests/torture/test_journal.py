"""Scenario 11: the journal read while it grows, its files rotate and the oldest are vacuumed, with
kill -9 and SIGTERM at random moments, with each journal reader (libsystemd in-process, journalctl)."""
import random
import signal
import threading
import time

import pytest

from tests.harness.journal import JournalWriter, journal_remote_missing, numbered
from tests.harness.pushagent import PushAgent, accepted_offset, audit, settle, stored_messages, wait_until

GROUP, STREAM = "torture", "journal"
RUN = 500  # entries per systemd-journal-remote run
BATCH_COUNT = 5000
pytestmark = pytest.mark.skipif(journal_remote_missing() is not None, reason=journal_remote_missing() or "")


class GrowingJournal(threading.Thread):
    """Appends numbered entries, starts a new journal file every ``per_file`` entries, and deletes
    (vacuums) a finished file once the agent saved an entry later than its last one: what it
    deletes was accepted, so the audit can still ask for every entry."""

    def __init__(self, folder, total, per_file, state_file):
        super().__init__(daemon=True)
        self.journal = JournalWriter(folder)
        self.total, self.per_file, self.state_file = total, per_file, state_file
        self.finished = []  # (path, time of its last entry in µs)
        self.written = self.rotations = self.vacuumed = 0

    def run(self):
        while self.written < self.total:
            self.journal.append(numbered(self.written, RUN))
            self.written += RUN
            if self.written % self.per_file == 0:
                self.finished.append((self.journal.path, self.journal._clock_us))
                self.rotations += 1
                self.journal.path = self.journal.folder / f"test-{self.rotations}.journal"
            saved = accepted_offset(self.state_file)
            for path, last in [item for item in self.finished if item[1] < saved]:
                path.unlink()
                self.finished.remove((path, last))
                self.vacuumed += 1
            time.sleep(0.05)


@pytest.mark.parametrize("reader", ["libsystemd", "journalctl"])
@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM], ids=["kill -9", "SIGTERM"])
def test_journal_rotated_and_vacuumed_while_the_agent_is_killed_and_stopped(aws, wire, logs, tmp_path, profile,
                                                                            torture_report, reader, signum):
    rng = random.Random(11 + signum)
    folder = tmp_path / "journal"
    section = {"source": "journald", "journal_directory": str(folder), "log_group_name": GROUP,
               "log_stream_name": STREAM, "buffer_duration": 200, "batch_count": BATCH_COUNT,
               "journal_reader": reader}
    codes = []
    with PushAgent(aws, tmp_path / "agent", {"journal": section}) as agent:
        journal = GrowingJournal(folder, profile.crash_lines // 2, per_file=RUN * 20, state_file=agent.state_file)
        journal.start()
        wait_until(lambda: journal.written, 60, "the journal's first entries")
        agent.start()
        for _ in range(profile.kills):
            if signum != signal.SIGKILL:
                agent.wait_started()
            time.sleep(rng.uniform(0.4, 2.0))
            codes.append(agent.stop(signum))
            agent.start()
        journal.join()
        settle(wire, GROUP, STREAM, journal.written)
        assert agent.stop() == 0
    messages = stored_messages(logs, GROUP, STREAM)
    lost, duplicated = audit(messages, range(journal.written))
    bound = profile.kills * BATCH_COUNT if signum == signal.SIGKILL else 0
    torture_report(f"11 journal ({reader}), {'kill -9' if signum == signal.SIGKILL else 'SIGTERM'}",
                   written=journal.written, stored=len(messages), lost=len(lost), duplicated=duplicated,
                   stops=profile.kills, rotations=journal.rotations, vacuumed=journal.vacuumed,
                   in_flight_bound=bound)
    assert codes == ([-signal.SIGKILL] if signum == signal.SIGKILL else [0]) * profile.kills
    assert lost == [] and duplicated <= bound
    assert journal.rotations >= 2 and journal.vacuumed >= 1
