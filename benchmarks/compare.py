"""This checkout against a base revision, and our pull/filter against AWS CLI v2's own commands,
in one run: rounds that alternate which goes first, medians compared.

    python3 dev.py bench-compare [--base REV] [--rounds R] [--lines N] [--pull-events N]

- push: `aws logs push` draining the file benchmark's lines (timestamps parsed) to the blackhole
  endpoint, with this checkout's plugin and with REV's (extracted with `git archive` into a
  temporary folder that PYTHONPATH puts first), from a file section, from stdin and (the same
  lines as json-file records) from a docker section; CPU per 100k events from each process's
  rusage, start-up included (what a host pays), and net of start-up.
- pull: `aws logs pull` (GetLogEvents) against AWS CLI v2's `aws logs tail` (FilterLogEvents) on
  the same synthetic stream of the blackhole; filter: `aws logs filter` against
  `aws logs filter-log-events --output text`; query: `aws logs query` printing 10,000 rows
  against `aws logs start-query` + `get-query-results`; filter10: `aws logs filter` over 10
  groups of 20,000 events against `filter-log-events` once per group. Whole processes,
  start-up included.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.containers import docker_copy  # noqa: E402
from benchmarks.run import (  # noqa: E402
    DATETIME_FORMAT, Blackhole, Run, drain, last_line_bytes, make_log, push_config, section_source, startup_cpu,
)
from tests.harness.awscli import AwsCli  # noqa: E402

BASE = "a49616a"  # main before issue 15's work (the performance issue)
CLI_V2 = "/usr/bin/aws"  # Debian's awscli package (2.9.19), as `python3 dev.py test` installs it
READER_GROUPS, READER_EVENTS = 10, 20_000  # filter over many groups: groups, events in each
QUERY_ID = "11111111-2222-3333-4444-555555555555"  # the blackhole's one query


def extract(revision, folder):
    """The plugin's package as it was at ``revision``, in ``folder``."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision, "awscli_cwlogs"], capture_output=True)
    if archive.returncode != 0:
        raise SystemExit(f"benchmark: git archive {revision}: {archive.stderr.decode().strip()}")
    folder.mkdir(parents=True)
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    return compiled(folder)


def compiled(folder):
    """``folder`` byte-compiled, as pip leaves a package it installs: no run compiles the modules
    at start-up (every run would, with PYTHONDONTWRITEBYTECODE set)."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(folder)], check=True)
    return folder


def plugin_from(aws, folder):
    """``aws`` made to load the plugin from ``folder``; checked, not assumed."""
    aws.env["PYTHONPATH"] = str(folder)
    where = subprocess.run([sys.executable, "-c", "import awscli_cwlogs; print(awscli_cwlogs.__file__)"],
                           env=aws.env, capture_output=True, text=True, cwd="/").stdout.strip()
    if not where.startswith(str(folder)):
        raise SystemExit(f"benchmark: the base revision's plugin is not the one loaded ({where})")
    return aws


def cli_v2_env(work, endpoint):
    home = work / "home-v2"
    (home / ".aws").mkdir(parents=True, exist_ok=True)
    (home / ".aws" / "config").write_text("[default]\nregion = us-east-1\n")  # no [plugins]: v2 would warn
    return {"PATH": os.environ.get("PATH", os.defpath), "HOME": str(home), "AWS_CONFIG_FILE": str(home / ".aws/config"),
            "AWS_ACCESS_KEY_ID": "AKIDTESTTESTTESTTEST", "AWS_SECRET_ACCESS_KEY": "x" * 40, "AWS_PAGER": "",
            "AWS_EC2_METADATA_DISABLED": "true", "NO_PROXY": "127.0.0.1"}, ["--endpoint-url", endpoint]


def push_rounds(work, log, lines, rounds, blackhole, base_tree, kinds):
    """{(kind, who): (median CPU-s of a run, start-up CPU-s)} for each kind of input: file (a file
    section), stdin (stdin mode), docker (the same lines as json-file records of a container)."""
    clis = {"this checkout": AwsCli(work / "home-head", blackhole.url),
            f"base {BASE}": plugin_from(AwsCli(work / "home-base", blackhole.url), base_tree)}
    startup = {name: startup_cpu(aws) for name, aws in clis.items()}
    records = docker_copy(log, work / "docker") if "docker" in kinds else None
    cpu = {(kind, name): [] for kind in kinds for name in clis}
    for number in range(rounds):
        for kind in kinds:
            for name in (list(clis) if number % 2 == 0 else list(reversed(clis))):
                run = push_once(work, kind, f"{kind}-{name.split()[0]}-{number}", clis[name], log, records)
                cpu[(kind, name)].append(run.cpu)
                print(f"  push {kind:6s} {name:24s} round {number + 1}: {run.cpu * 100_000 / lines:.3f} CPU-s per 100k "
                      f"({lines / run.elapsed:,.0f} events/s, peak RSS {run.rss_mb:.1f} MB)", flush=True)
    return {key: (statistics.median(values), startup[key[1]]) for key, values in cpu.items()}


def push_once(work, kind, label, aws, log, records):
    if kind == "stdin":
        with open(log, "rb") as stdin:
            return Run(aws.command("logs", "push", "--log-group-name", "bench", "--log-stream-name", label,
                                   "--datetime-format", DATETIME_FORMAT, "--time-zone", "UTC"), aws.env, stdin=stdin).stop()
    config, state = push_config(work, label, section_source(kind, log, work / "docker"))
    path = log if kind == "file" else records
    return drain(aws, config, state, path.stat().st_size - last_line_bytes(path), label)


def pull_rounds(work, rounds, blackhole, events):
    ours = AwsCli(work / "home-pull", blackhole.url)
    v2_env, endpoint = cli_v2_env(work, blackhole.url)
    pairs = {
        "pull": ([ours.command("logs", "pull", "--log-group-name", "bench", "--log-stream-name", "synthetic")],
                 ours.env, [[CLI_V2, *endpoint, "logs", "tail", "bench", "--log-stream-names", "synthetic",
                             "--since", "3650d"]], "aws logs tail (CLI v2)"),
        "filter": ([ours.command("logs", "filter", "--log-group-name", "bench")], ours.env,
                   [[CLI_V2, *endpoint, "logs", "filter-log-events", "--log-group-name", "bench", "--output", "text"]],
                   "filter-log-events --output text (CLI v2)"),
    }
    return measured(pairs, rounds, v2_env)


def readers_rounds(work, rounds):
    """``query`` printing 10,000 rows, and ``filter`` over 10 groups of 20,000 events each: ours in
    one process; AWS CLI v2's API commands as a script runs them (start-query, then
    get-query-results; filter-log-events once per group), their CPU summed."""
    blackhole = Blackhole(READER_EVENTS)
    try:
        ours = AwsCli(work / "home-readers", blackhole.url)
        v2_env, endpoint = cli_v2_env(work, blackhole.url)
        groups = [f"/ecs/shop/{index}" for index in range(READER_GROUPS)]
        query = "fields @timestamp, @log, @message"
        pairs = {
            "query": ([ours.command("logs", "query", query, "--log-group-names", groups[0], "--format", "json")],
                      ours.env,
                      [[CLI_V2, *endpoint, "logs", "start-query", "--log-group-names", groups[0], "--start-time", "0",
                        "--end-time", "3600", "--query-string", query],
                       [CLI_V2, *endpoint, "logs", "get-query-results", "--query-id", QUERY_ID, "--output", "json"]],
                      "start-query + get-query-results (CLI v2)"),
            "filter10": ([ours.command("logs", "filter", "--log-group-names", *groups)], ours.env,
                         [[CLI_V2, *endpoint, "logs", "filter-log-events", "--log-group-name", group, "--output", "text"]
                          for group in groups], "filter-log-events per group --output text (CLI v2)"),
        }
        return measured(pairs, rounds, v2_env)
    finally:
        blackhole.stop()


def measured(pairs, rounds, v2_env):
    """{what: (our median CPU-s, theirs, their name)}: each side's commands run one after another,
    CPU summed; rounds alternate which side goes first."""
    results = {}
    for what, (commands, env, theirs, their_name) in pairs.items():
        cpu = {"ours": [], "theirs": []}
        for number in range(rounds):
            order = ("ours", "theirs") if number % 2 == 0 else ("theirs", "ours")
            for who in order:
                total = 0.0
                for command in commands if who == "ours" else theirs:
                    run = Run(command, env if who == "ours" else v2_env).stop()
                    if run.process.returncode != 0:
                        raise SystemExit(f"benchmark: {what} ({who}) exited with {run.process.returncode}")
                    total += run.cpu
                cpu[who].append(total)
            print(f"  {what} round {number + 1}: ours {cpu['ours'][-1]:.2f} CPU-s, {their_name} "
                  f"{cpu['theirs'][-1]:.2f} CPU-s", flush=True)
        results[what] = (statistics.median(cpu["ours"]), statistics.median(cpu["theirs"]), their_name)
    return results


def main():
    global BASE
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default=BASE, help=f"the revision to compare with (default {BASE})")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--lines", type=int, default=500_000)
    parser.add_argument("--pull-events", type=int, default=200_000)
    parser.add_argument("--skip-pull", action="store_true")
    parser.add_argument("--inputs", default="file,stdin,docker", help="the inputs pushed (default file,stdin,docker)")
    args = parser.parse_args()
    BASE = args.base
    work = Path(tempfile.mkdtemp(prefix="cwlogs-bench-compare-"))
    blackhole = Blackhole(args.pull_events)
    try:
        base_tree = extract(args.base, work / "base")
        compiled(ROOT / "awscli_cwlogs")
        log = work / "app.log"
        print(f"writing {args.lines:,} lines ...", flush=True)
        make_log(log, args.lines)
        push = push_rounds(work, log, args.lines, args.rounds, blackhole, base_tree, args.inputs.split(","))
        pull = {} if args.skip_pull or not os.access(CLI_V2, os.X_OK) else \
            {**pull_rounds(work, args.rounds, blackhole, args.pull_events), **readers_rounds(work, args.rounds)}
    finally:
        blackhole.stop()
        shutil.rmtree(work, ignore_errors=True)
    report(push, pull, args)


def report(push, pull, args):
    per_100k = 100_000 / args.lines
    print(f"\nmedians of {args.rounds} rounds; {args.lines:,} lines pushed, {args.pull_events:,} events pulled")
    for kind in args.inputs.split(","):
        (head, head_startup), (base, base_startup) = [value for key, value in push.items() if key[0] == kind]
        print(f"  push {kind:6s} this checkout {head * per_100k:.3f} CPU-s per 100k (net of start-up "
              f"{(head - head_startup) * per_100k:.3f}), base {args.base} {base * per_100k:.3f} "
              f"({(base - base_startup) * per_100k:.3f}): ratio {head / base:.2f} "
              f"(net {(head - head_startup) / (base - base_startup):.2f}){'; target <= 0.7' if kind == 'file' else ''}")
    for what, (ours, theirs, their_name) in pull.items():
        print(f"  {what:6s} ours {ours:.2f} CPU-s, {their_name} {theirs:.2f} CPU-s: ratio {ours / theirs:.2f} "
              f"(target <= 0.5)")
    if not pull and not args.skip_pull:
        print(f"  pull/filter: skipped, no AWS CLI v2 at {CLI_V2} (python3 dev.py test installs it where apt-get is)")


if __name__ == "__main__":
    main()
