"""Real logrotate (Debian's package, driven with -f and a state file of its own) against a
running agent: every rotation mode operators use, each case 0 lost and 0 duplicated."""
import contextlib
import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.harness.pushagent import (
    PacedWriter, PushAgent, audit, section, settle, start_shipping, stored_messages, wait_until,
    write_lines,
)

GROUP = "logrotate"
LOGROTATE = shutil.which("logrotate") or next(
    (path for path in ("/usr/sbin/logrotate", "/sbin/logrotate") if os.access(path, os.X_OK)), None)

pytestmark = pytest.mark.skipif(LOGROTATE is None, reason="logrotate is not installed (python3 dev.py test installs "
                                "Debian's logrotate package where apt-get is available and it runs as root)")


class Logrotate:
    def __init__(self, folder, log, directives):
        self.conf = folder / "logrotate.conf"
        self.state = folder / "logrotate.state"
        self.conf.write_text(f"{log} {{\n    rotate 100\n    missingok\n    {directives}\n}}\n")

    def run(self, force=True):
        result = subprocess.run([LOGROTATE, *(["-f"] if force else []), "-s", str(self.state), str(self.conf)],
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        return result


CASES = {
    "create": "create",
    "copytruncate": "copytruncate",
    "compress + delaycompress": "create\n    compress\n    delaycompress",
    "compress": "create\n    compress",
    "copytruncate + compress": "copytruncate\n    compress",
    "dateext": "create\n    dateext\n    dateformat -%Y%m%d-%s",
    "olddir": "create\n    olddir {old}",
}


@pytest.mark.parametrize("case", CASES)
def test_logrotate_while_the_agent_runs(case, aws, wire, logs, tmp_path, torture_report):
    log = tmp_path / "app.log"
    (tmp_path / "old").mkdir()
    rotate = Logrotate(tmp_path, log, CASES[case].format(old=tmp_path / "old"))
    writer = PacedWriter(log, per_second=3000, reopen_when_replaced=True)
    with PushAgent(aws, tmp_path / "agent", {"app": section(log, GROUP, "app")}) as agent:
        # rotations while the agent follows the file: a copy made before it first opened it is
        # history it never saw (under load, the CLI takes over a second to start)
        start_shipping(agent, writer, wire, GROUP, "app")
        for _ in range(4):
            time.sleep(1.2)  # dateext names copies by the second
            # copytruncate loses what is written between its copy and its truncate: the writer pauses
            with writer.paused() if "copytruncate" in case else contextlib.nullcontext():
                rotate.run()
        time.sleep(1)
        written = writer.stop()
        settle(wire, GROUP, "app", written)
        assert agent.stop() == 0
    rotated = sorted(p.name for p in [*tmp_path.iterdir(), *(tmp_path / "old").iterdir()] if p.name.startswith("app.log"))
    messages = stored_messages(logs, GROUP, "app")
    lost, duplicated = audit(messages, range(written))
    torture_report(f"logrotate {case}", written=written, stored=len(messages), lost=len(lost), duplicated=duplicated)
    print(f"logrotate {case}: written {written} lost {len(lost)} duplicated {duplicated}; files {rotated}")
    assert len(rotated) >= 4, rotated  # logrotate did rotate
    assert (lost, duplicated) == ([], 0)


def test_logrotate_maxsize_rotates_every_few_seconds_under_load(aws, wire, logs, tmp_path, torture_report):
    log = tmp_path / "app.log"
    rotate = Logrotate(tmp_path, log, "create\n    daily\n    maxsize 512k\n    compress\n    delaycompress")
    writer = PacedWriter(log, per_second=10_000, reopen_when_replaced=True)  # ~0.4 MB/s: every ~1.3 s
    with PushAgent(aws, tmp_path / "agent", {"app": section(log, GROUP, "app")}) as agent:
        start_shipping(agent, writer, wire, GROUP, "app")
        end = time.monotonic() + 10
        while time.monotonic() < end:
            rotate.run(force=False)  # rotates only once the file passed 512 KiB, as cron would
            time.sleep(0.25)
        written = writer.stop()
        settle(wire, GROUP, "app", written)
        assert agent.stop() == 0
    rotations = len([p for p in tmp_path.iterdir() if p.name.startswith("app.log.")])
    messages = stored_messages(logs, GROUP, "app")
    lost, duplicated = audit(messages, range(written))
    torture_report("logrotate maxsize 512k under load", written=written, rotations=rotations, lost=len(lost),
                   duplicated=duplicated)
    assert rotations >= 4
    assert (lost, duplicated) == ([], 0)


def test_compressed_while_stopped_with_unread_lines_is_read_from_the_gz(aws, wire, logs, tmp_path, torture_report):
    """compress without delaycompress while the agent is down: the unread lines exist only inside
    the .gz. The agent finds it by the fingerprint of its decompressed head and finishes it; a
    second rotation makes a whole never-read file exist only compressed, too. The glob matches
    the .gz files as well: they are never followed as live files."""
    log = tmp_path / "app.log"
    rotate = Logrotate(tmp_path, log, "create\n    compress")
    agent = PushAgent(aws, tmp_path / "agent", {"app": section(tmp_path / "app.log*", GROUP, "app")})
    with agent:
        write_lines(log, 0, 1000, mode="w")
        agent.start()
        wait_until(lambda: wire.accepted_events(GROUP, "app") >= 1000, 30, "the first 1,000 lines")
        assert agent.stop() == 0
        write_lines(log, 1000, 1000)  # unread when the file is rotated and compressed
        rotate.run()
        write_lines(log, 2000, 1000)  # a whole file that is rotated and compressed unread
        time.sleep(1.1)
        rotate.run()
        write_lines(log, 3000, 1000)
        assert sorted(p.name for p in tmp_path.glob("app.log*")) == ["app.log", "app.log.1.gz", "app.log.2.gz"]
        status = aws.run("logs", "push", "--config-file", agent.config, "--status", "--json")
        assert status.returncode == 0, status.stderr
        files = {Path(f["path"]).name: f for f in json.loads(status.stdout)["streams"][0]["files"]}
        unread = 1000 * len(f"seq {1:09d} payload {'x' * 80}\n")
        assert (files["app.log.2.gz"]["role"], files["app.log.2.gz"]["bytes_behind"]) == ("rotated", unread)
        assert files["app.log.1.gz"]["role"] == "skipped"  # never read: the agent reads it whole, --status says skipped
        agent.start()
        settle(wire, GROUP, "app", 4000)
        write_lines(log, 4000, 500)  # and it goes on with the live file
        settle(wire, GROUP, "app", 4500)
        assert agent.stop() == 0
        agent.start()  # a restart reads nothing again
        time.sleep(3)
        assert agent.stop() == 0
    messages = stored_messages(logs, GROUP, "app")
    lost, duplicated = audit(messages, range(4500))
    torture_report("logrotate compress while stopped", written=4500, stored=len(messages), lost=len(lost),
                   duplicated=duplicated)
    assert (lost, duplicated) == ([], 0)
    assert "from decompressed offset" in Path(agent.folder / "agent-2.log").read_text()
