"""source = journald against real journal files (written by systemd-journal-remote), each test with
both readers (libsystemd in-process, and the real journalctl): filters, the three message formats,
binary and multi-line messages, restarts, --check and --status; journalctl killed under the agent
and journalctl missing with its reader."""
import json
import os
import signal
import subprocess
import time

import pytest

from tests.harness.awscli import nobody_cannot_run_aws, nobody_cli
from tests.harness.journal import JournalWriter, half_linked, journal_remote_missing, numbered
from tests.harness.pushagent import PushAgent, assert_delivered, audit, settle, stored_messages, wait_until

GROUP = "journal"
pytestmark = pytest.mark.skipif(journal_remote_missing() is not None, reason=journal_remote_missing() or "")


READER = {"name": None}


@pytest.fixture(autouse=True, params=["libsystemd", "journalctl"])
def reader(request):
    """The journal reader every section of the test uses (journald() puts it in)."""
    READER["name"] = request.param
    yield request.param
    READER["name"] = None


def journald(folder, stream, **extra):
    return {"source": "journald", "journal_directory": str(folder), "log_group_name": GROUP,
            "log_stream_name": stream, "buffer_duration": 200, "journal_reader": READER["name"], **extra}


def test_filters_and_formats(aws, wire, logs, tmp_path):
    journal = JournalWriter(tmp_path / "journal")
    journal.append([
        {"MESSAGE": "started", "_SYSTEMD_UNIT": "app.service", "SYSLOG_IDENTIFIER": "app", "_PID": 10, "PRIORITY": 6},
        {"MESSAGE": "disk failing", "_SYSTEMD_UNIT": "smartd.service", "SYSLOG_IDENTIFIER": "smartd", "PRIORITY": 3},
        {"MESSAGE": "line one\nline two", "_SYSTEMD_UNIT": "app.service", "SYSLOG_IDENTIFIER": "app", "_PID": 10,
         "PRIORITY": 4},
        {"MESSAGE": b"bytes \xff\x00 end", "_SYSTEMD_UNIT": "app-worker.service", "SYSLOG_IDENTIFIER": "worker",
         "PRIORITY": 6},
        {"MESSAGE": "debug noise", "_SYSTEMD_UNIT": "app.service", "SYSLOG_IDENTIFIER": "app", "PRIORITY": 7},
    ])
    folder = tmp_path / "journal"
    sections = {
        "app": journald(folder, "app", units="app.service, app-*.service", message_format="message", priority="info"),
        "errors": journald(folder, "errors", priority="err"),
        "worker": journald(folder, "worker", matches="SYSLOG_IDENTIFIER=worker", message_format="json"),
    }
    with PushAgent(aws, tmp_path / "agent", sections) as agent:
        agent.start()
        settle(wire, GROUP, "app", 3)
        settle(wire, GROUP, "errors", 1)
        settle(wire, GROUP, "worker", 1)
        assert agent.stop() == 0
    assert stored_messages(logs, GROUP, "app") == ["started", "line one\nline two", "bytes \ufffd\x00 end"]
    assert stored_messages(logs, GROUP, "errors") == ["smartd: disk failing"]
    worker = json.loads(stored_messages(logs, GROUP, "worker")[0])
    assert worker["MESSAGE"] == "bytes \ufffd\x00 end" and worker["_SYSTEMD_UNIT"] == "app-worker.service"
    assert "__CURSOR" not in worker and "__MONOTONIC_TIMESTAMP" not in worker and worker["_HOSTNAME"] == "testhost"


def test_short_format_and_the_entry_time(aws, wire, logs, tmp_path):
    journal = JournalWriter(tmp_path / "journal")
    journal.append(numbered(0, 2, identifier="sshd", pid=77))
    with PushAgent(aws, tmp_path / "agent", {"all": journald(tmp_path / "journal", "all")}) as agent:
        agent.start()
        settle(wire, GROUP, "all", 2)
        assert agent.stop() == 0
    events = logs.stored_events(GROUP, "all")
    assert [e["message"] for e in events] == ["sshd[77]: seq 000000000 from sshd", "sshd[77]: seq 000000001 from sshd"]
    shown = subprocess.run(["journalctl", "--directory", str(tmp_path / "journal"), "-o", "json"], capture_output=True,
                           text=True).stdout.splitlines()
    assert [e["timestamp"] for e in events] == [int(json.loads(line)["__REALTIME_TIMESTAMP"]) // 1000 for line in shown]


def test_sigterm_restarts_and_kill_9_lose_nothing_and_sigterm_sends_nothing_twice(aws, wire, logs, tmp_path):
    journal = JournalWriter(tmp_path / "journal")
    agent = PushAgent(aws, tmp_path / "agent", {"app": journald(tmp_path / "journal", "app")})
    written = 0
    with agent:
        for round_number in range(3):
            journal.append(numbered(written, 500))  # while the agent is down
            written += 500
            agent.start()
            journal.append(numbered(written, 500))  # while it runs
            written += 500
            settle(wire, GROUP, "app", written)
            assert agent.stop() == 0
        stored = stored_messages(logs, GROUP, "app")
        assert audit(stored, range(written)) == ([], 0)
        for _ in range(3):  # kill -9 while entries keep arriving: nothing lost, duplicates only in flight
            agent.start()
            journal.append(numbered(written, 1000))
            written += 1000
            time.sleep(0.3)
            agent.kill()
        agent.start()
        settle(wire, GROUP, "app", written)
        assert agent.stop() == 0
    lost, duplicated = audit(stored_messages(logs, GROUP, "app"), range(written))
    print(f"journald restarts: written {written} lost {len(lost)} duplicated {duplicated}")
    assert lost == [] and duplicated <= 3 * 10_000


@pytest.mark.parametrize("then", ["its writer writes on", "nothing more comes"])
def test_an_entry_read_while_its_writer_still_links_it_is_read_again_not_lost(aws, wire, logs, tmp_path, then):
    """libsystemd shows an entry before its new field values are linked to it; read in that
    moment, it has no MESSAGE. The agent holds it back until its writer wrote a later entry, or
    for a few seconds, then reads it again."""
    journal = JournalWriter(tmp_path / "journal")
    journal.append(numbered(0, 3))
    with PushAgent(aws, tmp_path / "agent", {"app": journald(tmp_path / "journal", "app")}) as agent:
        with half_linked(journal.path, "seq 000000002 from app"):
            agent.start()
            wait_until(lambda: wire.accepted_events(GROUP, "app") >= 2, 60, "the two entries before it")
            time.sleep(0.5)
            assert wire.accepted_events(GROUP, "app") == 2
        written = 3
        if then == "its writer writes on":
            journal.append(numbered(3, 1))
            written = 4
        settle(wire, GROUP, "app", written)
        assert agent.stop() == 0
    assert_delivered(logs, GROUP, "app", range(written))


@pytest.mark.parametrize("reader", ["journalctl"], indirect=True)
def test_journalctl_killed_under_the_agent_is_restarted_from_the_last_entry(aws, wire, logs, tmp_path):
    journal = JournalWriter(tmp_path / "journal")
    journal.append(numbered(0, 300))
    with PushAgent(aws, tmp_path / "agent", {"app": journald(tmp_path / "journal", "app")}) as agent:
        agent.start()
        settle(wire, GROUP, "app", 300)
        children = subprocess.run(["pgrep", "-P", str(agent.process.pid), "journalctl"], capture_output=True,
                                  text=True).stdout.split()
        assert len(children) == 1, children
        os.kill(int(children[0]), signal.SIGKILL)
        journal.append(numbered(300, 300))
        settle(wire, GROUP, "app", 600)
        assert agent.stop() == 0
        log_text = agent.log_text()
    assert "journalctl exited with code -9; starting it again from the last entry read" in log_text
    assert_delivered(logs, GROUP, "app", range(600))


@pytest.mark.parametrize("reader", ["journalctl"], indirect=True)
def test_journalctl_missing_is_one_error_and_no_busy_loop(aws, wire, tmp_path):
    journal = JournalWriter(tmp_path / "journal")
    journal.append(numbered(0, 3))
    no_journalctl = tmp_path / "bin"
    no_journalctl.mkdir()
    with PushAgent(aws, tmp_path / "agent", {"app": journald(tmp_path / "journal", "app")}) as agent:
        agent.start(env={"PATH": f"{os.path.dirname(aws.command()[0])}:{no_journalctl}"})
        time.sleep(4)
        cpu = _cpu_seconds(agent.process.pid)
        time.sleep(3)
        assert _cpu_seconds(agent.process.pid) - cpu < 0.5  # waiting, not spinning
        assert agent.stop() == 0
        log_text = agent.log_text()
    assert log_text.count("cannot run journalctl") == 1, log_text
    assert "is this a systemd host?" in log_text and "Traceback" not in log_text
    assert wire.accepted_events(GROUP, "app") == 0


def _cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_check_and_status_for_a_journald_section(aws, wire, logs, tmp_path):
    journal = JournalWriter(tmp_path / "journal")
    journal.append(numbered(0, 3, identifier="sshd", pid=5))
    agent = PushAgent(aws, tmp_path / "agent", {"sys": journald(tmp_path / "journal", "sys", units="app.service")})
    check = aws.run("logs", "push", "--config-file", agent.config, "--check")
    print(check.stdout)
    assert check.returncode == 0, check.stdout + check.stderr
    assert f"--directory {tmp_path / 'journal'} --unit app.service" in check.stdout
    assert "| sshd[5]: seq 000000002 from sshd" in check.stdout and "not read yet" in check.stdout
    assert "\n  3 entries match now\n" in check.stdout
    assert wire.calls == []
    with agent:
        agent.start()
        settle(wire, GROUP, "sys", 3)
        assert agent.stop() == 0
    status = aws.run("logs", "push", "--config-file", agent.config, "--status")
    assert status.returncode == 0 and "journal: saved position at the entry of 20" in status.stdout, status.stdout
    empty = PushAgent(aws, tmp_path / "agent2", {"none": journald(tmp_path / "journal", "none", units="nothing.service")})
    check = aws.run("logs", "push", "--config-file", empty.config, "--check")
    assert check.returncode == 1 and "problem: [none] source: no journal entry matches" in check.stdout


@pytest.mark.parametrize("key, value, owners", [
    ("file", "/var/log/x.log", "files or source = cri"), ("datetime_format", "%Y", "files"),
    ("multi_line_start_pattern", "^x", "files or source = docker or source = cri")])
def test_a_file_only_key_in_a_journald_section_is_a_config_error(aws, tmp_path, key, value, owners):
    agent = PushAgent(aws, tmp_path / "agent", {"j": journald(tmp_path, "j", **{key: value})})
    result = aws.run("logs", "push", "--config-file", agent.config, "--check")
    assert result.returncode != 0  # as every config error (test_push_config_errors.py)
    assert result.stderr.strip() == (f"aws logs push: {agent.config}: [j] {key}: only for {owners}; "
                                      "this section has source = journald")


def interleaved(start, count):
    units = ("a.service", "b.service", "c.service")
    return [{"MESSAGE": f"seq {i:09d}", "_SYSTEMD_UNIT": units[i % 3], "SYSLOG_IDENTIFIER": units[i % 3][0],
             "PRIORITY": 6} for i in range(start, start + count)]


def test_one_stream_per_unit_with_restarts_and_kill_9(aws, wire, logs, tmp_path, torture_report):
    journal = JournalWriter(tmp_path / "journal")
    agent = PushAgent(aws, tmp_path / "agent", {"units": journald(tmp_path / "journal", "{unit}",
                                                                    message_format="message")})
    written = 0
    with agent:
        for stop in ("SIGTERM", "SIGTERM", "kill -9", "kill -9"):
            journal.append(interleaved(written, 600))
            written += 600
            agent.start()
            journal.append(interleaved(written, 600))
            written += 600
            if stop == "SIGTERM":
                for unit in "abc":
                    settle(wire, GROUP, f"{unit}.service", written // 3)
                assert agent.stop() == 0
            else:
                time.sleep(0.5)
                agent.kill()
        agent.start()
        for unit in "abc":
            settle(wire, GROUP, f"{unit}.service", written // 3)
        assert agent.stop() == 0
    lost, duplicated = [], 0
    for number, unit in enumerate("abc"):
        unit_lost, unit_duplicated = audit(stored_messages(logs, GROUP, f"{unit}.service"),
                                           range(number, written, 3))
        lost += unit_lost
        duplicated += unit_duplicated
    puts = len(wire.calls_of("PutLogEvents"))
    torture_report("journald {unit}: 2 SIGTERM, 2 kill -9", written=written, lost=len(lost), duplicated=duplicated,
                   puts=puts)
    assert lost == []
    assert duplicated <= 2 * 1200  # only what was in flight at the two kill -9
    assert puts < written / 20  # interleaved units still fill batches (one per stream per flush)


def test_sigterm_restart_with_one_stream_per_unit_sends_nothing_twice(aws, wire, logs, tmp_path):
    journal = JournalWriter(tmp_path / "journal")
    agent = PushAgent(aws, tmp_path / "agent", {"units": journald(tmp_path / "journal", "{unit}",
                                                                    message_format="message")})
    with agent:
        journal.append(interleaved(0, 300))
        agent.start()
        for unit in "abc":
            settle(wire, GROUP, f"{unit}.service", 100)
        assert agent.stop() == 0
        journal.append(interleaved(300, 2) + [{"MESSAGE": "seq 000000302", "_SYSTEMD_UNIT": "a.service",
                                               "PRIORITY": 6}])  # c gets nothing new: its cursor is the oldest
        agent.start()
        settle(wire, GROUP, "a.service", 102)
        assert agent.stop() == 0
    assert_delivered(logs, GROUP, "a.service", [*range(0, 300, 3), 300, 302])
    assert_delivered(logs, GROUP, "b.service", [*range(1, 300, 3), 301])
    assert_delivered(logs, GROUP, "c.service", range(2, 300, 3))


def test_a_unit_that_logged_long_ago_does_not_make_a_restart_read_the_journal_again(aws, wire, logs, tmp_path):
    """With a cursor per unit, a restart starts at the section's watermark (the earliest entry
    not yet accepted, whatever its unit), not at the oldest unit's cursor."""
    journal = JournalWriter(tmp_path / "journal")
    journal.append([{"MESSAGE": "seq 000000000", "_SYSTEMD_UNIT": "rare.service", "PRIORITY": 6}])
    journal.append(numbered(1, 500, unit="busy.service"))
    cursors = [json.loads(line)["__CURSOR"] for line in subprocess.run(
        ["journalctl", "--directory", str(tmp_path / "journal"), "-o", "json", "--no-pager"],
        capture_output=True, text=True, check=True).stdout.splitlines()]
    agent = PushAgent(aws, tmp_path / "agent", {"units": journald(tmp_path / "journal", "{unit}",
                                                                    message_format="message")})
    with agent:
        agent.start()
        settle(wire, GROUP, "busy.service", 500)
        settle(wire, GROUP, "rare.service", 1)
        assert agent.stop() == 0
        journal.append(numbered(501, 10, unit="busy.service"))
        agent.start()
        settle(wire, GROUP, "busy.service", 510)
        assert agent.stop() == 0
        log_text = agent.log_text()
    starts = [line for line in log_text.splitlines() if "reading the journal: " in line]  # the 2nd run's
    assert len(starts) == 1 and f"cursor {cursors[-1]}" in starts[0], starts  # the last entry, not rare's
    assert_delivered(logs, GROUP, "busy.service", range(1, 511))
    assert_delivered(logs, GROUP, "rare.service", range(0, 1))


def test_a_vacuumed_cursor_is_a_warning_naming_the_span_and_reading_goes_on(aws, wire, logs, tmp_path):
    journal = JournalWriter(tmp_path / "journal")
    journal.append(numbered(0, 100))
    agent = PushAgent(aws, tmp_path / "agent", {"app": journald(tmp_path / "journal", "app")})
    with agent:
        agent.start()
        settle(wire, GROUP, "app", 100)
        assert agent.stop() == 0
        journal.vacuum()  # while the agent is down: only newer entries remain
        journal.append(numbered(100, 100))
        status = aws.run("logs", "push", "--config-file", agent.config, "--status")
        assert "warning: the journal no longer holds the last entry sent" in status.stdout, status.stdout
        agent.start()
        settle(wire, GROUP, "app", 200)
        assert agent.stop() == 0
        log_text = agent.log_text()
    assert_delivered(logs, GROUP, "app", range(200))
    assert log_text.count("it was vacuumed while the agent was down; entries from 20") == 1, log_text
    assert "to the oldest entry it holds, of 20" in log_text


def test_sighup_adds_a_journald_section_and_the_running_one_goes_on(aws, wire, logs, tmp_path):
    journal = JournalWriter(tmp_path / "journal")
    journal.append(interleaved(0, 300))
    folder = tmp_path / "journal"
    agent = PushAgent(aws, tmp_path / "agent", {"a": journald(folder, "a", units="a.service", message_format="message")})
    with agent:
        agent.start()
        settle(wire, GROUP, "a", 100)
        text = agent.config.read_text()
        agent.config.write_text(text + "\n[b]\n" + "".join(
            f"{k} = {v}\n" for k, v in journald(folder, "b", units="b.service", message_format="message").items()))
        agent.process.send_signal(signal.SIGHUP)
        settle(wire, GROUP, "b", 100)
        journal.append(interleaved(300, 300))
        settle(wire, GROUP, "a", 200)
        settle(wire, GROUP, "b", 200)
        assert agent.stop() == 0
        log_text = agent.log_text()
    assert "1 section(s) kept, 0 stopped, 1 started" in log_text
    assert_delivered(logs, GROUP, "a", range(0, 600, 3))
    assert_delivered(logs, GROUP, "b", range(1, 600, 3))


def test_the_example_config_s_journald_section_is_valid(aws, tmp_path):
    text = open(os.path.join(os.path.dirname(__file__), "..", "..", "launcher", "awslogs.conf")).read()
    block = text[text.index("# [journal]"):].split("\n\n")[0].splitlines()
    section = "\n".join(line[2:] for line in block if line.startswith("# ") and "=" in line and not
                        line.startswith("# Optional") and not line.startswith("#  "))
    config = tmp_path / "awslogs.conf"
    config.write_text(f"[general]\nstate_file = {tmp_path}/state\n[journal]\n{section}\n"
                      f"journal_directory = {tmp_path}\n")
    result = aws.run("logs", "push", "--config-file", config, "--check", env={"AWS_EC2_METADATA_DISABLED": "true"})
    assert "[journal] journal -> log group /hosts/journal, log stream " in result.stdout, result.stdout + result.stderr
    assert "--priority 6" in result.stdout


def test_a_journal_the_agent_may_not_read_is_named_with_the_fix_and_no_busy_loop(wire, tmp_path):
    if nobody_cannot_run_aws():
        pytest.skip(nobody_cannot_run_aws())
    with nobody_cli(wire.url) as (aws, work):
        journal = JournalWriter(work / "journal")
        journal.append(numbered(0, 3))
        (work / "journal").chmod(0o755)
        journal.path.chmod(0o640)  # root's, as /var/log/journal is: nobody is in neither group
        agent = PushAgent(aws, work / "agent", {"app": journald(work / "journal", "app")})
        (work / "agent").chmod(0o777)
        agent.config.chmod(0o644)
        with agent:
            agent.start()
            time.sleep(5)
            cpu = _cpu_seconds(agent.process.pid)
            time.sleep(3)
            assert _cpu_seconds(agent.process.pid) - cpu < 0.5
            assert agent.stop() == 0
            log_text = agent.log_text()
    fix = "Run the agent as root, or in the systemd-journal (or adm) group"
    assert log_text.count(f"ERROR [app] cannot read the journal: permission denied. {fix}") == 1, log_text
    assert log_text.count("reading the journal: ") <= 5 and "Traceback" not in log_text  # backoff 1, 2, 4 s
    assert wire.accepted_events(GROUP, "app") == 0


def test_an_entry_over_1_mb_is_sent_as_parts_in_order(aws, wire, logs, tmp_path):
    journal = JournalWriter(tmp_path / "journal")
    big = "".join(f"{i:07d} " for i in range(190_000))  # 1.52 MB
    journal.append([{"MESSAGE": big, "_SYSTEMD_UNIT": "big.service", "PRIORITY": 6}, *numbered(0, 2)])
    with PushAgent(aws, tmp_path / "agent", {"app": journald(tmp_path / "journal", "app", message_format="message")}) \
            as agent:
        agent.start()
        settle(wire, GROUP, "app", 4)
        assert agent.stop() == 0
    stored = stored_messages(logs, GROUP, "app")
    assert len(stored) == 4 and "".join(stored[:2]) == big and stored[2:] == [
        "seq 000000000 from app", "seq 000000001 from app"]
