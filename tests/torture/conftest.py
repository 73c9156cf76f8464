"""What the torture scenarios share: the profile (quick, or long with --long)."""
from dataclasses import dataclass

import pytest



@dataclass(frozen=True)
class Profile:
    name: str
    crash_lines: int
    kills: int
    storm_s: float
    copytruncate_s: float
    fault_lines: int
    outage_s: float
    backlog_mb: int
    backlog_outage_s: float
    pause_s: float  # the agent stopped with SIGSTOP (a VM pause, a debugger)


QUICK = Profile("quick", crash_lines=100_000, kills=4, storm_s=6, copytruncate_s=3, fault_lines=30_000,
                outage_s=15, backlog_mb=100, backlog_outage_s=15, pause_s=20)
LONG = Profile("long", crash_lines=500_000, kills=10, storm_s=20, copytruncate_s=10, fault_lines=200_000,
               outage_s=60, backlog_mb=500, backlog_outage_s=60, pause_s=180)


@pytest.fixture
def profile(long_profile):
    return LONG if long_profile else QUICK
