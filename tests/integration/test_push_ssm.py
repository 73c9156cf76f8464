"""The agent's configuration from SSM Parameter Store: followed while it runs, refused when wrong,
kept for a start without SSM, split over several parameters, SecureString never shown."""
import os
import re
import signal
import stat
import time

from tests.harness.motoserver import free_port
from tests.harness.parameters import STANDARD_MAX, config_text
from tests.harness.pushagent import PushAgent, assert_delivered, section, settle, stored_messages, wait_until, write_lines
from tests.harness.wireproxy import THROTTLE

GROUP = "fleet"
MAIN = "/cwlogs-agent/web/main"
SECTIONS = "/cwlogs-agent/web/sections/"
MARKER = "S3CR3T-9f1c2e"


def start_from_parameters(aws, ssm, folder, parameters, general=None, extra=(), env=None):
    """An agent whose --config-file is MAIN ([general] alone) and --additional-configs-dir is
    SECTIONS, with one parameter per entry of ``parameters`` (name -> sections)."""
    ssm.put(MAIN, config_text({}, {"state_file": "agent-state", "config_refresh": 1, **(general or {})}))
    for name, sections in parameters.items():
        ssm.put(SECTIONS + name, config_text(sections))
    agent = PushAgent(aws, folder, {})
    agent.location = f"ssm:{MAIN}"
    return agent.start("--additional-configs-dir", f"ssm:{SECTIONS}", "--state-dir", folder / "state", *extra,
                       env=env)


def logged_at(line):
    """The time of an agent's log line (its asctime: local time, milliseconds after a comma)."""
    stamp, millis = line[:23].split(",")
    return time.mktime(time.strptime(stamp, "%Y-%m-%d %H:%M:%S")) + int(millis) / 1000


def shipped_once(aws, ssm, wire, folder, log):
    """An agent from parameters that shipped the 100 lines of ``log`` and stopped (its last good copy kept)."""
    with start_from_parameters(aws, ssm, folder, {"a": {"a": section(log, GROUP, "a")}}) as agent:
        wait_until(lambda: wire.accepted_events(GROUP, "a") >= 100, 60, "a shipped")
        assert agent.stop() == 0
    return agent


def lines_of(log, word):
    return [line for line in log.splitlines() if word in line]


def test_a_changed_parameter_starts_and_stops_sections_and_the_others_go_on(aws, ssm, logs, wire, tmp_path):
    a, b, c = (tmp_path / f"{name}.log" for name in "abc")
    for path in (a, b, c):
        write_lines(path, 0, 1000, mode="w")
    with start_from_parameters(aws, ssm, tmp_path / "agent", {
            "a": {"a": section(a, GROUP, "a")}, "b": {"b": section(b, GROUP, "b")}}) as agent:
        wait_until(lambda: wire.accepted_events(GROUP, "a") >= 1000 and wire.accepted_events(GROUP, "b") >= 1000,
                   60, "a and b shipped")
        write_lines(a, 1000, 1000)
        write_lines(b, 1000, 1000)  # written before b is removed: still sent
        changed = time.time()
        ssm.put(SECTIONS + "c", config_text({"c": section(c, GROUP, "c")}))
        ssm.delete(SECTIONS + "b")
        wait_until(lambda: wire.accepted_events(GROUP, "c") >= 1000 and "section(s) kept, 1 stopped"
                   in agent.log_text(), 30, "c started and b stopped")
        write_lines(a, 2000, 1000)
        write_lines(b, 2000, 1000)  # b is no longer followed
        settle(wire, GROUP, "a", 3000)
        assert agent.stop() == 0
    log = agent.log_text()
    reloads = lines_of(log, "reloaded")
    took = [logged_at(line) - changed for line in reloads]
    print(log, "reloads", ", ".join(f"{t:.2f} s" for t in took), "after the change (refresh 1 s, jittered 0.5-1.5 s)")
    assert 0 < took[0] and took[-1] < 10  # two edits: one or two looks
    assert reloads and all(f"ssm:{MAIN} version 1" in line and "section(s) kept" in line for line in reloads)
    assert f"ssm:{SECTIONS}c version 1" in reloads[-1] and f"ssm:{SECTIONS}b" not in reloads[-1]
    assert_delivered(logs, GROUP, "a", range(3000))
    assert_delivered(logs, GROUP, "b", range(2000))
    assert len(stored_messages(logs, GROUP, "b")) == 2000
    assert_delivered(logs, GROUP, "c", range(1000))


def test_an_invalid_change_is_refused_once_and_a_fix_is_applied(aws, ssm, logs, wire, tmp_path):
    a = tmp_path / "a.log"
    write_lines(a, 0, 1000, mode="w")
    with start_from_parameters(aws, ssm, tmp_path / "agent", {"a": {"a": section(a, GROUP, "a")}}) as agent:
        wait_until(lambda: wire.accepted_events(GROUP, "a") >= 1000, 60, "a shipped")
        ssm.put(SECTIONS + "a", config_text({"a": section(a, GROUP, "a", buffer_duration="soon")}))
        wait_until(lambda: "reload refused" in agent.log_text(), 30, "the refusal")
        write_lines(a, 1000, 1000)
        wait_until(lambda: wire.accepted_events(GROUP, "a") >= 2000, 60, "the running configuration ships on")
        time.sleep(4)  # several looks at the parameters: the same refused version is not logged again
        ssm.put(SECTIONS + "a", config_text({"a": section(a, GROUP, "a", buffer_duration=300)}))
        wait_until(lambda: "reloaded" in agent.log_text(), 30, "the fix applied")
        write_lines(a, 2000, 1000)
        settle(wire, GROUP, "a", 3000)
        assert agent.stop() == 0
    log = agent.log_text()
    print(log)
    refused = lines_of(log, "reload refused")
    assert len(refused) == 1 and " ERROR " in refused[0]
    assert f"ssm:{SECTIONS}a (version 2): [a] buffer_duration: 'soon' is not a number" in refused[0]
    assert f"ssm:{SECTIONS}a version 3" in lines_of(log, "reloaded")[0]
    assert_delivered(logs, GROUP, "a", range(3000))


def test_without_ssm_it_starts_from_the_kept_copy_and_without_one_it_exits(aws, ssm, logs, wire, tmp_path):
    a = tmp_path / "a.log"
    write_lines(a, 0, 100, mode="w")
    folder = tmp_path / "agent"
    agent = shipped_once(aws, ssm, wire, folder, a)
    kept = folder / "state" / "last-good-config.json"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert stat.S_IMODE((folder / "state" / "agent-state").stat().st_mode) == 0o600  # relative: in --state-dir

    no_ssm = {"AWS_ENDPOINT_URL_SSM": f"http://127.0.0.1:{free_port()}"}  # nothing listens there
    write_lines(a, 100, 100)
    agent.start("--additional-configs-dir", f"ssm:{SECTIONS}", "--state-dir", folder / "state", env=no_ssm)
    with agent:
        settle(wire, GROUP, "a", 200)
        status = aws.run("logs", "push", "--config-file", f"ssm:{MAIN}", "--additional-configs-dir",
                         f"ssm:{SECTIONS}", "--state-dir", folder / "state", "--status", env=no_ssm)
        assert agent.stop() == 0
    log = agent.log_text()
    print(log, status.stdout, status.stderr)
    warning = lines_of(log, "starting from the last good configuration")
    assert len(warning) == 1 and " WARNING " in warning[0] and f"ssm:{MAIN} version 1" in warning[0]
    assert_delivered(logs, GROUP, "a", range(200))
    assert status.returncode == 0 and "shown: the last good configuration" in status.stdout
    assert re.search(r"failed fetches: [1-9]", status.stdout) and "last fetch error: ssm:" in status.stdout

    bare = aws.run("logs", "push", "--config-file", f"ssm:{MAIN}", "--state-dir", tmp_path / "empty", env=no_ssm)
    print(bare.stderr)
    assert bare.returncode != 0 and "Traceback" not in bare.stderr
    assert len(bare.stderr.strip().splitlines()) == 1
    assert bare.stderr.startswith(f"aws logs push: cannot start: ssm:{MAIN}: ") and "no last good configuration" \
        in bare.stderr


def test_throttling_backs_off_logs_once_and_is_counted(aws, ssm, logs, wire, tmp_path):
    a, metrics = tmp_path / "a.log", tmp_path / "agent.prom"
    write_lines(a, 0, 100, mode="w")
    general = {"metrics_textfile": metrics, "metrics_interval": 1}
    with start_from_parameters(aws, ssm, tmp_path / "agent", {"a": {"a": section(a, GROUP, "a")}},
                               general) as agent:
        wait_until(lambda: wire.accepted_events(GROUP, "a") >= 100, 60, "a shipped")
        wire.faults.queue(THROTTLE, "GetParameter", times=9)  # three looks, three attempts each
        wait_until(lambda: "SSM answers again" in agent.log_text(), 90, "the end of the throttling")
        write_lines(a, 100, 100)
        settle(wire, GROUP, "a", 200)
        failures = wait_until(lambda: re.search(r"awslogs_push_config_fetch_failures_total\{[^}]*\} ([1-9]\d*)",
                                                metrics.read_text()), 30, "the failures in the metrics")
        version = re.search(r"awslogs_push_config_version\{[^}]*\} (\d+)", metrics.read_text())
        assert agent.stop() == 0
    log = agent.log_text()
    print(log)
    throttled = lines_of(log, "throttled")
    assert len(throttled) == 1 and " WARNING " in throttled[0] and "ThrottlingException" in throttled[0]
    assert "after 3 failed attempt(s)" in lines_of(log, "SSM answers again")[0]
    assert int(failures.group(1)) == 3 and int(version.group(1)) == 2  # two parameters, version 1 each
    assert_delivered(logs, GROUP, "a", range(200))


def test_a_configuration_split_over_three_parameters_is_the_same_as_a_folder(aws, ssm, logs, wire, tmp_path):
    folder, logs_folder = tmp_path / "config.d", tmp_path / "logs"
    folder.mkdir()
    logs_folder.mkdir()
    parts = {}
    for part in ("10-web", "20-app", "30-db"):
        sections = {}
        for index in range(10):
            path = logs_folder / f"{part}-{index}.log"
            write_lines(path, 0, 5, mode="w")
            sections[f"{part}-{index}"] = section(path, GROUP, f"{part}-{index}")
        parts[part] = config_text(sections)
        (folder / part).write_text(parts[part])
        ssm.put(SECTIONS + part, parts[part])
    assert sum(map(len, parts.values())) > STANDARD_MAX and all(len(text) <= STANDARD_MAX for text in parts.values())
    main = tmp_path / "awslogs.conf"
    main.write_text(config_text({}, {"state_file": tmp_path / "state", "config_refresh": 1}))

    def check(extra):
        run = aws.run("logs", "push", "--config-file", main, "--additional-configs-dir", extra, "--check")
        assert run.returncode == 0, run.stdout + run.stderr
        return run.stdout
    from_folder, from_parameters = check(folder), check(f"ssm:{SECTIONS}")
    print(from_parameters)
    assert f"  parameters: ssm:{SECTIONS}10-web version 1, ssm:{SECTIONS}20-app version 1" in from_parameters
    assert f"(ssm:{SECTIONS}30-db (version 1))" in from_parameters  # each section: its parameter and version
    named = re.sub(rf"ssm:{SECTIONS}(\S+) \(version 1\)", lambda m: str(folder / m.group(1)), from_parameters)
    assert named.split("\n", 3)[3] == from_folder.split("\n", 2)[2]  # all but the "configuration:" lines
    whole = "/cwlogs-agent/web/whole/"  # the same in one advanced-tier parameter (up to 8 KB)
    ssm.put(whole + "all", "".join(parts.values()), tier="Advanced")
    named = re.sub(rf"\(ssm:{whole}all \(version 1\)\)", "(?)", check(f"ssm:{whole}"))
    assert named.split("\n", 3)[3] == re.sub(rf"\({folder}/\S+\)", "(?)", from_folder.split("\n", 2)[2])

    agent = PushAgent(aws, tmp_path / "agent", {})
    agent.location = main
    with agent.start("--additional-configs-dir", f"ssm:{SECTIONS}"):
        wait_until(lambda: all(wire.accepted_events(GROUP, f"{part}-{i}") >= 5 for part in parts for i in range(10)),
                   60, "all 30 sections shipped")
        assert agent.stop() == 0
    assert_delivered(logs, GROUP, "30-db-9", range(5))


def test_sighup_fetches_the_parameters_at_once(aws, ssm, logs, wire, tmp_path):
    a, b = tmp_path / "a.log", tmp_path / "b.log"
    write_lines(a, 0, 100, mode="w")
    write_lines(b, 0, 100, mode="w")
    with start_from_parameters(aws, ssm, tmp_path / "agent", {"a": {"a": section(a, GROUP, "a")}},
                               {"config_refresh": 3600}) as agent:
        wait_until(lambda: wire.accepted_events(GROUP, "a") >= 100, 60, "a shipped")
        ssm.put(SECTIONS + "b", config_text({"b": section(b, GROUP, "b")}))
        agent.process.send_signal(signal.SIGHUP)
        wait_until(lambda: wire.accepted_events(GROUP, "b") >= 100, 20, "b started on SIGHUP")
        assert agent.stop() == 0
    assert "1 section(s) kept, 0 stopped, 1 started" in agent.log_text()


def test_a_secure_string_is_never_shown(aws, ssm, logs, wire, tmp_path):
    a = tmp_path / "a.log"
    write_lines(a, 0, 10, mode="w")
    folder = tmp_path / "agent"
    secret = f"# token {MARKER}\n" + config_text({"s": section(a, GROUP, "s")})
    ssm.put(SECTIONS + "secret", secret, secure=True)
    arguments = ("--additional-configs-dir", f"ssm:{SECTIONS}", "--state-dir", folder / "state")
    with start_from_parameters(aws, ssm, folder, {"a": {"a": section(a, GROUP, "a")}}, extra=("--debug",)) as agent:
        wait_until(lambda: wire.accepted_events(GROUP, "s") >= 10, 60, "the secure section shipped")
        time.sleep(3)  # a few looks at the parameters, with --debug
        ssm.put(SECTIONS + "secret", f"[s]\nbuffer_duration = {MARKER}\n", secure=True)
        wait_until(lambda: "reload refused" in agent.log_text(), 30, "the refusal")
        shown = [aws.run("logs", "push", "--config-file", f"ssm:{MAIN}", *arguments, *more)
                 for more in (("--status",), ("--status", "--json", "--debug"), ("--check", "--debug"))]
        ssm.put(SECTIONS + "secret", f"[s]\n{MARKER} is not a line of a config\n", secure=True)
        shown.append(aws.run("logs", "push", "--config-file", f"ssm:{MAIN}", *arguments, "--check"))
        assert agent.stop() == 0
    log = agent.log_text()
    refused = lines_of(log, "reload refused")[0]
    assert f"ssm:{SECTIONS}secret (version 2): [s] buffer_duration: not a valid value (not shown" in refused
    assert [run.returncode for run in shown] == [0, 0, 255, 255]
    assert f"ssm:{SECTIONS}secret (version 2): [s] buffer_duration: not a valid value" in shown[2].stderr
    assert f"ssm:{SECTIONS}secret (version 3): line 2 is not" in shown[3].stderr
    outputs = [log] + [run.stdout + run.stderr for run in shown]
    assert "AmazonSSM.GetParametersByPath" in log and all(len(text) > 100 for text in outputs[:3])
    assert [MARKER in text for text in outputs] == [False] * len(outputs)
    kept = folder / "state" / "last-good-config.json"  # the agent's own copy: 0600, as its state file
    assert MARKER in kept.read_text() and stat.S_IMODE(os.stat(kept).st_mode) == 0o600


def test_a_start_that_ssm_throttles_waits_and_starts(aws, ssm, logs, wire, tmp_path):
    """A fleet started at once: SSM throttles the start fetch of some; they wait and try again."""
    a = tmp_path / "a.log"
    write_lines(a, 0, 100, mode="w")
    wire.faults.queue(THROTTLE, "GetParameter", times=4)  # the three attempts of one fetch, and one more
    with start_from_parameters(aws, ssm, tmp_path / "agent", {"a": {"a": section(a, GROUP, "a")}}) as agent:
        wait_until(lambda: wire.accepted_events(GROUP, "a") >= 100, 60, "a shipped")
        assert agent.stop() == 0
    log = agent.log_text()
    print(log)
    waits = lines_of(log, "trying again with backoff for up to 120 s")
    assert len(waits) == 1 and "ThrottlingException" in waits[0] and " WARNING " in waits[0]
    assert_delivered(logs, GROUP, "a", range(100))


def test_a_dry_run_from_parameters_keeps_no_copy(aws, ssm, wire, tmp_path):
    a = tmp_path / "a.log"
    write_lines(a, 0, 3, mode="w")
    folder = tmp_path / "agent"
    with start_from_parameters(aws, ssm, folder, {"a": {"a": section(a, GROUP, "a")}}, extra=("--dry-run",)) as agent:
        wait_until(lambda: agent.process.stdout.peek(1), 60, "the events printed")
        assert agent.stop() == 0
    assert not (folder / "state").exists() and wire.calls_of("PutLogEvents") == []


def test_a_start_with_a_broken_parameter_runs_the_last_good_configuration(aws, ssm, logs, wire, tmp_path):
    a = tmp_path / "a.log"
    write_lines(a, 0, 100, mode="w")
    folder = tmp_path / "agent"
    agent = shipped_once(aws, ssm, wire, folder, a)
    ssm.put(SECTIONS + "a", config_text({"a": section(a, GROUP, "a", batch_count=0)}))  # broken while it was stopped
    write_lines(a, 100, 100)
    with agent.start("--additional-configs-dir", f"ssm:{SECTIONS}", "--state-dir", folder / "state"):
        settle(wire, GROUP, "a", 200)
        time.sleep(3)  # looks at the parameters: the refused version is not logged again
        assert agent.stop() == 0
    log = agent.log_text()
    print(log)
    refused = lines_of(log, "refused")
    assert len(refused) == 1 and " ERROR " in refused[0]
    assert f"ssm:{SECTIONS}a (version 2): [a] batch_count:" in refused[0]
    assert f"starting from the last good configuration (ssm:{MAIN} version 1, ssm:{SECTIONS}a version 1)" in refused[0]
    assert_delivered(logs, GROUP, "a", range(200))
