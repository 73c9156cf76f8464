"""One agent per state file, with the real `aws` CLI: a second `aws logs push` on the same state
file exits 255 with one line naming the first agent's pid, before it reads a file; --check,
--status and --dry-run take no lock and work beside the running agent; a new agent waits for a
stopping one's lock. (The torture scenarios in tests/torture/test_host_faults.py add the audit
under load; tests/unit/test_statelock.py the lock itself.)"""
import json
import signal
import subprocess

from tests.harness.pushagent import PushAgent, assert_delivered, section, settle, wait_until, write_lines

GROUP = "state"


def test_a_second_agent_on_the_same_state_file_exits_255_naming_the_first_and_reads_nothing(aws, wire, logs, tmp_path):
    log = tmp_path / "app.log"
    write_lines(log, 0, 300, mode="w")
    agent = PushAgent(aws, tmp_path / "agent", {"app": section(log, GROUP, "one")})
    with agent:
        agent.start()
        settle(wire, GROUP, "one", 300)
        second = aws.run("logs", "push", "--config-file", agent.config, timeout=60)
        status = aws.run("logs", "push", "--config-file", agent.config, "--status")
        status_json = json.loads(aws.run("logs", "push", "--config-file", agent.config, "--status", "--json").stdout)
        check = aws.run("logs", "push", "--config-file", agent.config, "--check")
        dry_run = aws.popen("logs", "push", "--config-file", agent.config, "--dry-run", stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
        first_line = dry_run.stdout.readline()  # it reads the file and prints, beside the agent
        dry_run.send_signal(signal.SIGTERM)
        dry_run_out, dry_run_err = dry_run.communicate(timeout=60)
        write_lines(log, 300, 200)
        settle(wire, GROUP, "one", 500)
        assert agent.stop() == 0
    pid = agent.process.pid
    assert second.returncode == 255 and second.stdout == ""
    assert second.stderr == (f"aws logs push: another agent (pid {pid}) is running with the state file "
                             f"{agent.state_file}; stop it first (sudo systemctl stop awslogs, or kill {pid}), or give "
                             "this one a state_file of its own\n")
    assert status.returncode == 0 and status.stdout.startswith(f"agent: running (pid {pid}, since ")
    assert "\n  state file: written\n" in status.stdout
    assert status_json["agent"]["running"] and status_json["agent"]["pid"] == pid
    assert status_json["agent"]["state_file_unwritten"] is None
    assert check.returncode == 0 and check.stdout.rstrip().endswith("no problems found")
    assert b"seq 000000000" in first_line and dry_run.returncode == 0, dry_run_err
    assert_delivered(logs, GROUP, "one", range(500))  # the second agent sent nothing
    after = aws.run("logs", "push", "--config-file", agent.config, "--status")
    assert after.stdout.startswith(f"agent: not running (the last one, pid {pid}, stopped ")


def test_a_new_agent_waits_for_the_stopping_ones_lock_and_takes_over_exactly(aws, wire, logs, tmp_path):
    log = tmp_path / "app.log"
    write_lines(log, 0, 1000, mode="w")
    old = PushAgent(aws, tmp_path / "agent", {"app": section(log, GROUP, "handover")})
    new = PushAgent(aws, tmp_path / "agent", {"app": section(log, GROUP, "handover")})
    with old, new:
        old.start()
        settle(wire, GROUP, "handover", 1000)
        new.runs = 1  # its own log file
        new.start("--wait-for-state-lock", "60")
        wait_until(lambda: "waiting up to 60 s for the agent (pid" in new.log_text(), 60, "the new agent to wait")
        write_lines(log, 1000, 1000)
        assert old.stop(signal.SIGTERM) == 0
        write_lines(log, 2000, 1000)
        settle(wire, GROUP, "handover", 3000)
        assert new.stop() == 0
    assert_delivered(logs, GROUP, "handover", range(3000))
    assert f"waiting up to 60 s for the agent (pid {old.process.pid}) that holds {old.state_file}.lock to stop" \
        in new.log_text()
