"""launcher/install.sh staged with --root into a temporary folder: the virtualenv, the
configuration, the hardened unit (systemd-analyze verify), upgrade in place, uninstall and
purge, and the staged agent shipping with credentials from a credential_process that expire
every few seconds."""
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.harness.pushagent import InstalledAgent, assert_delivered, wait_until, write_lines

ROOT = Path(__file__).resolve().parents[2]
INSTALL = ROOT / "launcher" / "install.sh"
GROUP = "installed"


def install(root, *options, check=True):
    result = subprocess.run(["sh", str(INSTALL), "--root", str(root), *options], capture_output=True, text=True,
                            timeout=600)
    if check:
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return result


@pytest.fixture
def staged(tmp_path, wheels):
    root = tmp_path / "root"
    install(root, "--wheels", str(wheels))
    return root


def files_under(root):
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if not path.is_dir())


def test_staged_install_layout_and_its_aws_checks_the_staged_config(staged, tmp_path):
    venv = staged / "opt/awscli-cwlogs"
    for path in ("bin/aws", "bin/python", "bin/awslogs-agent-launcher", "bin/iot-credential-process", "README.md"):
        assert (venv / path).exists(), path
    etc = staged / "etc/awslogs"
    assert (etc / "awslogs.conf").read_text() == (ROOT / "launcher/awslogs.conf").read_text()
    assert "[plugins]\ncwlogs = awscli_cwlogs" in (etc / "aws.conf").read_text()
    assert (etc / "config").is_dir() and (etc / "proxy.conf").exists()
    assert (staged / "var/lib/awslogs").stat().st_mode & 0o777 == 0o700
    unit = (staged / "etc/systemd/system/awslogs.service").read_text()
    for line in ("ProtectSystem=strict", "ReadWritePaths=/var/lib/awslogs", "ProtectHome=read-only",
                 "NoNewPrivileges=yes", "PrivateTmp=yes", "Nice=4", "Restart=on-failure", "StartLimitBurst=5",
                 "SupplementaryGroups=adm systemd-journal", "User=awslogs",
                 "ExecStart=/opt/awscli-cwlogs/bin/awslogs-agent-launcher",
                 "Documentation=file:/opt/awscli-cwlogs/README.md"):
        assert line in unit.splitlines(), line
    assert "pypi.org" not in unit

    log = tmp_path / "app.log"
    write_lines(log, 0, 3, mode="w")
    (etc / "awslogs.conf").write_text(f"[general]\nstate_file = {staged}/var/lib/awslogs/agent-state\n\n"
                                      f"[app]\nfile = {log}\nlog_group_name = app\nlog_stream_name = web-1\n")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "AWS_CONFIG_FILE": str(etc / "aws.conf"),
           "AWS_EC2_METADATA_DISABLED": "true"}
    check = subprocess.run([str(venv / "bin/aws"), "logs", "push", "--config-file", str(etc / "awslogs.conf"),
                            "--check"], capture_output=True, text=True, env=env, timeout=120)
    print(check.stdout)
    assert check.returncode == 0, check.stdout + check.stderr
    assert f"[app] {log} -> log group app, log stream web-1" in check.stdout
    assert "no problems found" in check.stdout


def test_the_staged_unit_passes_systemd_analyze_verify(staged):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is missing (python3 dev.py test installs Debian's systemd package "
                    "where apt-get is available and it runs as root)")
    system_units = Path("/lib/systemd/system")
    assert (system_units / "sysinit.target").exists(), "systemd's own units are missing"
    shutil.copytree(system_units, staged / "usr/lib/systemd/system", symlinks=True)
    verify = subprocess.run([analyze, "verify", f"--root={staged}", "awslogs.service"],
                            capture_output=True, text=True, timeout=120)
    assert (verify.returncode, verify.stdout + verify.stderr) == (0, "")  # not even a warning
    security = subprocess.run([analyze, "security", "--offline=yes", f"--root={staged}", "awslogs.service"],
                              capture_output=True, text=True, timeout=120)
    print(security.stdout.strip().splitlines()[-1])  # e.g. "Overall exposure level for awslogs.service: 1.6 OK"
    exposure = float(security.stdout.strip().splitlines()[-1].split(":")[1].split()[0])
    assert exposure <= 2.0


def test_rerun_upgrades_in_place_keeping_config_and_state_then_uninstall_and_purge(staged):
    etc, state = staged / "etc/awslogs", staged / "var/lib/awslogs"
    (etc / "awslogs.conf").write_text("[general]\nstate_file = /var/lib/awslogs/agent-state\n# edited\n")
    (etc / "config" / "extra.conf").write_text("# an additional config\n")
    (state / "agent-state").write_bytes(b"state")
    installed = next((staged / "opt/awscli-cwlogs/lib").glob("python3*/site-packages/awscli_cwlogs/__init__.py"))
    installed.write_text(installed.read_text() + "\n# an older build\n")

    install(staged)  # from the checkout this time, not from wheels
    assert (etc / "awslogs.conf").read_text().endswith("# edited\n")
    assert (etc / "config" / "extra.conf").exists() and (state / "agent-state").read_bytes() == b"state"
    assert installed.read_text() == (ROOT / "awscli_cwlogs/__init__.py").read_text()  # the code was replaced

    result = install(staged, "--uninstall")
    assert "kept its configuration" in result.stdout
    left = files_under(staged)
    assert left and all(path.startswith(("etc/awslogs/", "var/lib/awslogs/")) for path in left), left
    assert not (staged / "etc/systemd/system/awslogs.service").exists()
    install(staged, "--purge")
    assert files_under(staged) == []


def test_bad_options_are_one_line_and_non_zero(tmp_path):
    for options, message in ((["--bogus"], "unknown option --bogus"), (["--wheels", str(tmp_path)], "no awscli_cwlogs wheel"),
                             (["--python", "/nonexistent/python3"], "older than Python 3.10"),
                             (["--config", "ssm:cwlogs/main"], "--config ssm:cwlogs/main: give a parameter name"),
                             (["--additional-configs", "config.d"], "give an absolute path or ssm:/NAME"),
                             (["--config", "ssm:/a b"], "no spaces, quotes")):
        result = install(tmp_path / "root", *options, check=False)
        assert result.returncode != 0 and message in result.stderr, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr


CREDENTIAL_PROCESS = """import datetime, json, sys
with open(sys.argv[1], "a+") as calls:
    calls.write("call\\n")
    calls.seek(0)
    number = len(calls.read().splitlines())
expires = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=float(sys.argv[2]))
print(json.dumps({"Version": 1, "AccessKeyId": f"ASIATESTEXPIRING{number:04d}", "SecretAccessKey": "s" * 40,
                  "SessionToken": "token-%d" % number, "Expiration": expires.isoformat()}))
"""


def test_staged_agent_refreshes_expiring_credentials_from_a_credential_process(staged, wire, logs, tmp_path):
    expiry_s = 3
    script, calls = tmp_path / "credentials.py", tmp_path / "calls.txt"
    script.write_text(CREDENTIAL_PROCESS)
    etc = staged / "etc/awslogs"
    installed = (etc / "aws.conf").read_text()
    assert installed.endswith("[plugins]\ncwlogs = awscli_cwlogs\n"), installed
    (etc / "aws.conf").write_text(f"[default]\nregion = us-east-1\nendpoint_url = {wire.url}\n"  # what this host needs
                                  f"credential_process = {sys.executable} {script} {calls} {expiry_s}\n\n"
                                  + installed[installed.index("[plugins]"):])
    log = tmp_path / "app.log"
    (etc / "awslogs.conf").write_text(f"[general]\nstate_file = {tmp_path}/agent-state\n\n[app]\nfile = {log}\n"
                                      f"log_group_name = {GROUP}\nlog_stream_name = app\nbuffer_duration = 200\n")
    env = {"AWSLOGS_CONFIG_DIR": str(etc), "AWSLOGS_HOME": str(tmp_path), "AWSLOGS_NICE": "0",
           "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    agent_log = tmp_path / "agent.log"
    with InstalledAgent(staged, env, agent_log) as agent:
        agent.start()
        written, end = 0, time.monotonic() + 4 * expiry_s  # lines keep coming for four expiry periods
        while time.monotonic() < end:
            write_lines(log, written, 200)
            written += 200
            time.sleep(0.25)
        wait_until(lambda: wire.accepted_events(GROUP, "app") >= written, 60, f"{written} accepted events")
        agent.stop()
    puts = wire.calls_of("PutLogEvents")
    keys = sorted({call.access_key for call in puts})
    number_of_calls = len(calls.read_text().splitlines())
    print(f"{written} lines, {len(puts)} PutLogEvents, statuses {sorted({c.status for c in puts})}, "
          f"credential_process called {number_of_calls} times, {len(keys)} access keys used")
    # no request failed, but the first put, answered "no such group" before the agent creates it
    created = next(i for i, call in enumerate(wire.calls) if call.action == "CreateLogStream")
    assert [(i, c.action) for i, c in enumerate(wire.calls) if c.status != 200] == [(created - 2, "PutLogEvents")]
    assert [c.action for c in wire.calls[created - 2:created + 1]] == ["PutLogEvents", "CreateLogGroup", "CreateLogStream"]
    assert_delivered(logs, GROUP, "app", range(written))
    assert number_of_calls >= 4 and len(keys) >= 4, (number_of_calls, keys)
    assert all(key.startswith("ASIATESTEXPIRING") for key in keys)
    text = agent_log.read_text()
    assert "ERROR" not in text and "s" * 40 not in text, text[-2000:]


def test_a_staged_install_with_config_from_ssm_runs_the_agent_from_parameters(tmp_path, wheels, wire, logs, ssm):
    main, sections = "/cwlogs-agent/web/main", "/cwlogs-agent/web/sections/"
    root = tmp_path / "root"
    result = install(root, "--wheels", str(wheels), "--config", f"ssm:{main}",
                     "--additional-configs", f"ssm:{sections}")
    etc, state = root / "etc/awslogs", root / "var/lib/awslogs"
    chosen = [f"AWSLOGS_CONFIG=ssm:{main}", f"AWSLOGS_ADDITIONAL_CONFIGS=ssm:{sections}"]
    assert (etc / "launcher.env").read_text().splitlines()[2:] == chosen
    assert not (etc / "awslogs.conf").exists()  # no example to edit: the configuration is in SSM
    assert "EnvironmentFile=-/etc/awslogs/launcher.env" in (root / "etc/systemd/system/awslogs.service").read_text()
    assert (f"logs push --config-file ssm:{main} --additional-configs-dir ssm:{sections} --state-dir {state} --check"
            in result.stdout)
    install(root, "--wheels", str(wheels))  # an upgrade without --config keeps the choice
    assert (etc / "launcher.env").read_text().splitlines()[2:] == chosen

    installed = (etc / "aws.conf").read_text()
    (etc / "aws.conf").write_text(f"[default]\nregion = us-east-1\nendpoint_url = {wire.url}\n\n"
                                  + installed[installed.index("[plugins]"):])
    (etc / "aws.credentials").write_text("[default]\naws_access_key_id = AKIDINSTALLEDSSM\n"
                                         "aws_secret_access_key = installedsecretinstalledsecret\n")
    log = tmp_path / "app.log"
    write_lines(log, 0, 100, mode="w")
    ssm.put(main, "[general]\nstate_file = agent-state\n")
    ssm.put(sections + "app", f"[app]\nfile = {log}\nlog_group_name = {GROUP}\nlog_stream_name = ssm\n"
                              "buffer_duration = 200\n")
    env = {"AWSLOGS_CONFIG_DIR": str(etc), "AWSLOGS_HOME": str(state), "AWSLOGS_NICE": "0",
           "PATH": os.environ.get("PATH", "/usr/bin:/bin"), **dict(line.split("=", 1) for line in chosen)}
    agent_log = tmp_path / "agent.log"
    with InstalledAgent(root, env, agent_log) as agent:
        agent.start()
        wait_until(lambda: wire.accepted_events(GROUP, "ssm") >= 100, 60, "the section from SSM shipped")
        agent.stop()
    print(agent_log.read_text())
    assert_delivered(logs, GROUP, "ssm", range(100))
    assert (state / "agent-state").exists() and (state / "last-good-config.json").exists()


def test_cli_v2_registration_for_interactive_pull_and_filter(tmp_path, wheels):
    from tests.harness.cliv2 import V2, v2_version
    if v2_version() is None:
        pytest.skip("no AWS CLI v2 at /usr/bin/aws (python3 dev.py test installs Debian's awscli where apt-get "
                    "is available and it runs as root)")
    config = tmp_path / "aws-config"
    config.write_text("[default]\nregion = us-east-1\n")
    env = {"PATH": f"{V2.parent}:/usr/bin:/bin", "HOME": str(tmp_path), "AWS_CONFIG_FILE": str(config)}
    root = tmp_path / "root"
    result = subprocess.run(["sh", str(INSTALL), "--root", str(root), "--wheels", str(wheels), "--cli-v2"],
                            capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    plugin = root / "opt/awscli-cwlogs/cli-v2-plugin"
    assert f"cli_legacy_plugin_path = {plugin}" in config.read_text()
    names = {p.name for p in plugin.iterdir()}
    assert {"awscli_cwlogs", "configobj", "plotext"} <= names and not {"awscli", "botocore"} & names, names  # no second CLI
    dry = subprocess.run([str(V2), "logs", "push", "--log-group-name", "g", "--log-stream-name", "s", "--dry-run"],
                         input="hello from v2\n", capture_output=True, text=True, env=env, timeout=120)
    assert dry.returncode == 0 and "hello from v2" in dry.stdout, dry.stdout + dry.stderr
    result = subprocess.run(["sh", str(INSTALL), "--root", str(root), "--uninstall"], capture_output=True, text=True,
                            env=env, timeout=600)
    assert result.returncode == 0 and "cwlogs" not in config.read_text(), config.read_text()
    after = subprocess.run([str(V2), "logs", "push"], capture_output=True, text=True, env=env, timeout=120)
    assert after.returncode != 0 and "Invalid choice" in after.stderr  # the CLI works, without the plugin
