"""The agent's process tuning: freed request-body-sized blocks are reused, not faulted in again."""
import platform
import subprocess
import sys

import pytest

FAULTS = """
import resource, sys
from awscli_cwlogs.agent.runtime import keep_freed_blocks
if sys.argv[1] == "tuned":
    keep_freed_blocks()
def faults():
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt
def batch():  # as a batch's body is made: a few blocks of about 1 MiB at once, then freed
    blocks = [b"x" * (1 << 20) for _ in range(4)]
    del blocks
batch()
before = faults()
for _ in range(50):
    batch()
print(faults() - before)
"""


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt's thresholds are glibc's")
def test_freed_megabyte_blocks_are_reused_without_page_faults():
    faults = {how: int(subprocess.run([sys.executable, "-c", FAULTS, how], capture_output=True, text=True,
                                      check=True).stdout) for how in ("default", "tuned")}
    assert faults["default"] >= 50 * 256, faults  # fresh pages for at least one block of each batch
    assert faults["tuned"] < 500, faults
