"""What an idle agent costs as the number of followed files grows: one section following N files
(publish_all_matching) or N docker containers, each with one line already shipped, measured
after the files have gone quiet (and been closed), with the health metrics off and on (their
bytes-behind survey every 10 s here). The baseline, in the same run, follows one file.

    python3 dev.py bench-idle [--rounds R] [--seconds S] [--cases 100,1000,5000,c1000]
"""
import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.run import Run, blackhole_cli, process_cpu  # noqa: E402
from tests.harness.containers import DockerContainer  # noqa: E402

METRICS = "metrics_log_group = agent-metrics\nmetrics_interval = 10\n"
WARM_UP_S = 45  # the first reads, then 30 s without news: every file closed (openfiles.IDLE_CLOSE_S)


def make_case(work, case):
    """The [app] keys of a case: '100' files or 'c1000' containers, made under ``work``."""
    folder = work / case
    if case.startswith("c"):
        for number in range(int(case[1:])):
            DockerContainer(folder, f"c{number:05}").write_lines(number, 1)
        return f"source = docker\ndocker_root = {folder}\n"
    folder.mkdir()
    for number in range(int(case)):
        (folder / f"f{number:05}.log").write_text(f"first line of quiet file {number}\n")
    return f"file = {folder}/*.log\npublish_all_matching = true\n"


def measure(aws, work, case, source, metrics, rounds, seconds):
    """(median % of one core over ``rounds`` windows of ``seconds``, open descriptors at the end)."""
    name = f"{case}-{'on' if metrics else 'off'}"
    config = work / f"{name}.conf"
    config.write_text(f"[general]\nstate_file = {work / (name + '.state')}\n{METRICS if metrics else ''}"
                      f"[app]\n{source}log_group_name = idle\nlog_stream_name = {name}\n")
    agent = Run(aws.command("logs", "push", "--config-file", config), aws.env)
    try:
        time.sleep(WARM_UP_S)
        shares = []
        for _ in range(rounds):
            before, started = process_cpu(agent.process.pid), time.monotonic()
            time.sleep(seconds)
            shares.append(100 * (process_cpu(agent.process.pid) - before) / (time.monotonic() - started))
        descriptors = len(os.listdir(f"/proc/{agent.process.pid}/fd"))
    finally:
        agent.stop(15)
    return statistics.median(shares), descriptors


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--cases", default="100,1000,5000,c1000")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="cwlogs-bench-idle-"))
    cases = ["1", *args.cases.split(",")]
    print(f"{WARM_UP_S} s warm-up, then the median of {args.rounds} windows of {args.seconds:.0f} s; "
          f"work folder {work}", flush=True)
    results = {}
    with blackhole_cli(work) as (aws, _):
        for case in cases:
            source = make_case(work, case)
            for metrics in (False, True):
                share, descriptors = measure(aws, work, case, source, metrics, args.rounds, args.seconds)
                results[case, metrics] = share
                what = f"{case[1:]} containers" if case.startswith("c") else f"{case} files"
                base = results["1", metrics]
                print(f"  {what:>16}, metrics {'on ' if metrics else 'off'}: {share:5.2f} % of one core"
                      f" ({share / base if base else float('nan'):5.1f}x one file), {descriptors} descriptors open",
                      flush=True)


if __name__ == "__main__":
    main()
