"""Issue 27: 1,500 files and 1,500 containers under a descriptor limit of 1,024 the agent cannot
raise, lines still arriving in 100 of them, a kill -9 in the middle: every line once."""
import os
import threading
import time

from tests.harness.containers import DockerContainer
from tests.harness.pushagent import PushAgent, audit, settle, stored_messages, wait_until, write_lines
from tests.harness.wireproxy import held

GROUP = "many"
FILES = CONTAINERS = 1500
LINES_EACH = 10
ACTIVE = 50  # of each kind: lines keep arriving in these
LIMIT = (1024, 1024)  # soft and hard: the agent cannot raise it


class Trickle(threading.Thread):
    """Appends a line to each active file and container every 0.1 s, numbered from ``first``."""

    def __init__(self, files, containers, first):
        super().__init__(daemon=True)
        self.files, self.containers = files, containers
        self.next = {"files": first, "containers": first + 1_000_000}
        self.first = dict(self.next)
        self.stopping = threading.Event()

    def run(self):
        while not self.stopping.wait(0.1):
            for path in self.files:
                write_lines(path, self.next["files"], 1)
                self.next["files"] += 1
            for container in self.containers:
                container.write_lines(self.next["containers"], 1)
                self.next["containers"] += 1

    def finish(self):
        self.stopping.set()
        self.join()
        return {kind: range(self.first[kind], self.next[kind]) for kind in self.next}


def open_descriptors(pid):
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return 0


def test_thousands_of_files_and_containers_under_1024_descriptors(aws, wire, logs, tmp_path, torture_report):
    folder, root = tmp_path / "files", tmp_path / "docker"
    folder.mkdir()
    (root / "containers").mkdir(parents=True)
    files = [folder / f"f{number:04}.log" for number in range(FILES)]
    for number, path in enumerate(files):
        write_lines(path, number * LINES_EACH, LINES_EACH, mode="w")
    containers = [DockerContainer(root, f"c{number:04}") for number in range(CONTAINERS)]
    for number, container in enumerate(containers):
        container.write_lines(500_000 + number * LINES_EACH, LINES_EACH)
    sections = {
        "files": {"file": f"{folder}/*.log", "publish_all_matching": "true", "log_group_name": GROUP,
                  "log_stream_name": "files", "buffer_duration": 500},
        "containers": {"source": "docker", "docker_root": root, "log_group_name": GROUP,
                       "log_stream_name": "containers", "buffer_duration": 500},
    }
    trickle = Trickle(files[:ACTIVE], containers[:ACTIVE], 2_000_000)
    most_open = 0
    with PushAgent(aws, tmp_path / "agent", sections) as agent:
        agent.start(open_files=LIMIT)
        trickle.start()
        half = FILES * LINES_EACH // 2
        wait_until(lambda: wire.accepted_events(GROUP, "files") >= half
                   and wire.accepted_events(GROUP, "containers") >= half, 180, "half of the backlog")
        most_open = max(most_open, open_descriptors(agent.process.pid))
        gate = threading.Event()
        # kill -9 while each stream has a batch on its way that the endpoint has not stored: a batch
        # stored but not yet written to the state file would be sent again, as kill -9 allows
        wire.faults.queue(held(gate), times=len(sections))
        held_calls = lambda: [c for c in wire.calls_of("PutLogEvents") if c.fault == "held, then reset"]  # noqa: E731
        wait_until(lambda: len(held_calls()) == len(sections), 60, "a batch in flight in each stream")
        assert {call.target[1] for call in held_calls()} == set(sections)
        assert agent.kill() == -9
        gate.set()
        agent.start(open_files=LIMIT)
        time.sleep(3)
        arrived = trickle.finish()
        expected = {
            "files": [*range(FILES * LINES_EACH), *arrived["files"]],
            "containers": [*range(500_000, 500_000 + CONTAINERS * LINES_EACH), *arrived["containers"]],
        }
        for stream, numbers in expected.items():
            try:
                settle(wire, GROUP, stream, len(numbers), timeout=120)
            except AssertionError:  # the audit below says which lines
                pass
        most_open = max(most_open, open_descriptors(agent.process.pid))
        assert agent.stop() == 0
    logs_text = "".join((agent.folder / f"agent-{run}.log").read_text(errors="replace") for run in (1, 2))
    counts, missing = {}, {}
    for stream, numbers in expected.items():
        lost, duplicated = audit(stored_messages(logs, GROUP, stream), numbers)
        counts[stream] = (len(numbers), len(lost), duplicated)
        missing[stream] = lost[:20]
    torture_report("27 1,500 files + 1,500 containers, 1,024 fds", **{
        f"{stream}_written": written for stream, (written, _, _) in counts.items()},
        lost=sum(c[1] for c in counts.values()), duplicated=sum(c[2] for c in counts.values()),
        most_open_fds=most_open, waits_logged=logs_text.count("cannot open more files"))
    assert all(lost == 0 and duplicated == 0 for _, lost, duplicated in counts.values()), (counts, missing)
    assert "Too many open files; will retry" not in logs_text
    assert "Could not connect" not in logs_text
    assert "at most 924 followed files open at once" in logs_text
