"""The launcher: clean environment, proxy variables from proxy.conf only, nice, the agent's arguments."""
import os
import re
import stat
import subprocess
from pathlib import Path

LAUNCHER = Path(__file__).resolve().parents[2] / "launcher" / "awslogs-agent-launcher.sh"


def test_runs_the_agent_with_a_clean_environment(tmp_path):
    fake_aws = tmp_path / "aws"  # records what the agent would have been started with
    report = tmp_path / "env.txt"
    fake_aws.write_text(f'#!/bin/sh\n{{ env | sort; echo "args: $*"; nice; }} > {report}\n')
    fake_aws.chmod(fake_aws.stat().st_mode | stat.S_IEXEC)
    config_dir = tmp_path / "etc"
    (config_dir / "config").mkdir(parents=True)
    (config_dir / "awslogs.conf").write_text("[s]\n")
    (config_dir / "proxy.conf").write_text("HTTPS_PROXY=http://127.0.0.1:3128\nNO_PROXY=169.254.169.254\n"
                                           "AWS_SECRET_ACCESS_KEY=smuggled\n$(touch /tmp/injected)\n")
    env = {"PATH": os.environ["PATH"], "AWSLOGS_CONFIG_DIR": str(config_dir), "AWSLOGS_AWS": str(fake_aws),
           "AWS_SECRET_ACCESS_KEY": "from-the-caller", "AWS_PROFILE": "caller", "SOMETHING_ELSE": "x"}
    result = subprocess.run(["sh", str(LAUNCHER)], env=env, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    lines = report.read_text().splitlines()
    names = {line.split("=", 1)[0] for line in lines if "=" in line and not line.startswith("args")}
    assert names <= {"HOME", "PATH", "LANG", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "HTTPS_PROXY",
                     "NO_PROXY", "PWD", "SHLVL", "_"}
    assert "HTTPS_PROXY=http://127.0.0.1:3128" in lines and "NO_PROXY=169.254.169.254" in lines
    assert not any("smuggled" in line or "from-the-caller" in line or "caller" == line for line in lines)
    stop_timeout = re.search(r"^TimeoutStopSec=(\d+)$", (LAUNCHER.parent / "awslogs.service").read_text(), re.M)[1]
    assert (f"args: logs push --config-file {config_dir}/awslogs.conf --wait-for-state-lock {stop_timeout}"
            f" --additional-configs-dir {config_dir}/config") in lines  # as long as systemd waits for a stop
    assert lines[-1] == "4"  # niceness
    assert not Path("/tmp/injected").exists()


def test_in_a_virtualenv_it_runs_that_python_isolated_and_skips_a_missing_additional_folder(tmp_path):
    """Where install.sh puts it (the bin/ of the agent's virtualenv) it runs `python -I -m awscli`
    from beside itself, so the tree works wherever it was moved to, and no folder's packages leak in."""
    venv = tmp_path / "opt" / "awscli-cwlogs"
    (venv / "bin").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\n")
    launcher = venv / "bin" / "awslogs-agent-launcher"
    launcher.write_bytes(LAUNCHER.read_bytes())
    launcher.chmod(0o755)
    report = tmp_path / "args.txt"
    python = venv / "bin" / "python"
    python.write_text(f'#!/bin/sh\necho "$0 $*" > {report}\n')
    python.chmod(0o755)
    config_dir = tmp_path / "etc"
    config_dir.mkdir()
    (config_dir / "awslogs.conf").write_text("[s]\n")
    result = subprocess.run([str(launcher)], env={"PATH": os.environ["PATH"], "AWSLOGS_CONFIG_DIR": str(config_dir)},
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert report.read_text() == (f"{python} -I -m awscli logs push --config-file {config_dir}/awslogs.conf"
                                  " --wait-for-state-lock 40\n")
