"""agent/process.py: the open-file limit the agent runs with (one descriptor per followed file)."""
import resource
import subprocess
import sys

import pytest

RAISE_AND_OPEN = """
import logging, os, resource, sys
logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stdout)
from awscli_cwlogs.agent.process import raise_open_file_limit
limit = raise_open_file_limit()
held = []
try:
    while len(held) < 3000:
        held.append(os.open(os.devnull, os.O_RDONLY))
except OSError:
    pass
print("soft", limit, "opened", len(held))
"""


def run_with_limits(soft, hard):
    def limit():
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    result = subprocess.run([sys.executable, "-c", RAISE_AND_OPEN], capture_output=True, text=True,
                            preexec_fn=limit, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_soft_limit_is_raised_to_the_hard_one_and_both_are_logged():
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    if hard != resource.RLIM_INFINITY and hard < 4096:
        pytest.skip(f"this process's hard limit on open files is {hard}: too low to show a raise past 3,000")
    hard = 4096
    out = run_with_limits(256, hard)
    assert out.splitlines()[0] == "open files: soft limit raised from 256 to 4,096 (hard limit 4,096)"
    assert out.splitlines()[-1] == "soft 4096 opened 3000"  # under 256 it could open about 250


def test_a_hard_limit_it_cannot_lift_is_said_once_and_kept():
    out = run_with_limits(256, 256)
    assert out.splitlines()[0] == "open files: soft limit 256, hard limit 256"
    assert out.splitlines()[-1].startswith("soft 256 opened 2")  # about 250: the rest were in use
