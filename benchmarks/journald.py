"""The journald case: `aws logs push` with a journald section draining a journal of N entries
to the blackhole endpoint, next to journalctl alone printing the same entries as JSON (the
floor). CPU from each process's own rusage (os.wait4), which includes the journalctl child
the agent waited for; the child's own share is read from /proc just before the stop, so the
agent's own cost (the target: <= 0.6 CPU-s per 100k) shows apart from journalctl's. With
``--base REV``, each row runs with REV's plugin too (as bench-compare does), alternating, and
the medians of ``--rounds`` runs are compared.

    python3 dev.py bench-journald [--entries N] [--base REV] [--rounds R]
                                  (default 200,000 entries, no base, 1 round; needs systemd-journal-remote)
"""
import argparse
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.compare import compiled, extract, plugin_from  # noqa: E402
from benchmarks.run import Blackhole, Run, process_cpu, startup_cpu, wait_for  # noqa: E402
from tests.harness.awscli import AwsCli  # noqa: E402
from tests.harness.journal import JournalWriter, journal_remote_missing  # noqa: E402


def make_journal(folder, entries):
    journal = JournalWriter(folder)
    units = ("nginx.service", "app.service", "sshd.service", "cron.service")
    for start in range(0, entries, 20_000):
        journal.append([{"MESSAGE": f"request {i:09d} served path=/api/v1/items/{i % 977} status=200 ms={i % 97}",
                         "_SYSTEMD_UNIT": units[i % 4], "SYSLOG_IDENTIFIER": units[i % 4].split(".")[0],
                         "_PID": 1000 + i % 4, "PRIORITY": 6} for i in range(start, min(start + 20_000, entries))])
    return journal


def last_cursor(folder):
    tail = subprocess.run(["journalctl", "--directory", str(folder), "-o", "json", "--lines", "1", "--no-pager"],
                          capture_output=True, text=True, check=True).stdout
    return tail.split('"__CURSOR":"', 1)[1].split('"', 1)[0]


def saved_cursors(state_file):
    if not state_file.exists():
        return set()
    try:
        db = sqlite3.connect(f"file:{state_file}?mode=ro", uri=True)
        try:
            return {row[0] for row in db.execute("SELECT path FROM positions")}
        finally:
            db.close()
    except sqlite3.Error:
        return set()


def journalctl_child(pid):
    """The agent's `journalctl --follow` child (not a short `journalctl --version`)."""
    for child in subprocess.run(["pgrep", "-P", str(pid), "journalctl"], capture_output=True,
                                text=True).stdout.split():
        if "--follow" in Path(f"/proc/{child}/cmdline").read_bytes().decode(errors="replace"):
            return int(child)
    return None


def drain(aws, work, label, stream, end, startup, reader="journalctl"):
    """(seconds, CPU-s of the run, of its journalctl, the agent's own net of start-up, peak RSS MB)."""
    config, state = work / f"{label}.conf", work / f"{label}.state"
    if state.exists():  # a run with another's state would find the last entry sent and stop at once
        raise SystemExit(f"benchmark: the state file {state} is already there")
    config.write_text(f"[general]\nstate_file = {state}\n[j]\nsource = journald\n"
                      f"journal_directory = {work / 'journal'}\nlog_group_name = bench\n"
                      f"log_stream_name = {stream}\nbuffer_duration = 1000\njournal_reader = {reader}\n")
    run = Run(aws.command("logs", "push", "--config-file", config), aws.env)
    child = None
    if reader == "journalctl":
        wait_for(lambda: journalctl_child(run.process.pid), 60, "journalctl started")
        child = journalctl_child(run.process.pid)
    wait_for(lambda: end in saved_cursors(state), 600, "the last entry accepted")
    elapsed = time.monotonic() - run.started
    child_cpu = process_cpu(child) if child else 0.0
    run.stop(2)  # SIGINT: the orderly stop
    return elapsed, run.cpu, child_cpu, run.cpu - child_cpu - startup, run.rss_mb


def latency(aws, work, reader, blackhole, count=150):
    """Journal write -> accepted, p50 and p95 in seconds: an entry every 0.1 s, each its own
    systemd-journal-remote run (the writer's time counts, the same for both readers)."""
    folder = work / f"latency-{reader}"
    journal = JournalWriter(folder)
    journal.append([{"MESSAGE": "warm", "_SYSTEMD_UNIT": "app.service", "SYSLOG_IDENTIFIER": "app", "_PID": 1}])
    config = work / f"latency-{reader}.conf"
    config.write_text(f"[general]\nstate_file = {work / f'latency-{reader}.state'}\n[j]\nsource = journald\n"
                      f"journal_directory = {folder}\nlog_group_name = bench\nlog_stream_name = latency\n"
                      f"buffer_duration = 1000\njournal_reader = {reader}\n")
    blackhole.reset()
    run = Run(aws.command("logs", "push", "--config-file", config), aws.env)
    wait_for(lambda: blackhole.stats()["events"] >= 1, 60, "the first entry accepted")
    blackhole.reset()
    for i in range(count):
        journal.append([{"MESSAGE": f"line {i} sent={time.time():.6f}", "_SYSTEMD_UNIT": "app.service",
                         "SYSLOG_IDENTIFIER": "app", "_PID": 1}])
        time.sleep(0.1)
    wait_for(lambda: len(blackhole.stats()["latencies"]) >= count, 60, "the latency entries")
    run.stop(2)
    latencies = sorted(blackhole.stats()["latencies"])
    return latencies[len(latencies) // 2], latencies[int(len(latencies) * 0.95)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=200_000)
    parser.add_argument("--base", help="a git revision whose plugin runs each row too, for comparison")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--readers", default="libsystemd,journalctl",
                        help="the journal readers run side by side (default libsystemd,journalctl)")
    args = parser.parse_args()
    if journal_remote_missing():
        raise SystemExit(f"benchmark: {journal_remote_missing()}")
    work = Path(tempfile.mkdtemp(prefix="cwlogs-bench-journald-"))
    print(f"writing a journal of {args.entries:,} entries ...", flush=True)
    make_journal(work / "journal", args.entries)
    end = last_cursor(work / "journal")

    floors = []
    for _ in range(3):
        floor = Run(["journalctl", "--directory", str(work / "journal"), "-o", "json", "--all", "--no-pager",
                     "--lines", "all"], None).stop()
        floors.append(floor.cpu)
    floor_cpu = min(floors)

    blackhole = Blackhole(0)
    try:
        readers = args.readers.split(",")
        clis = {f"this checkout, {reader}": (AwsCli(work / "home", blackhole.url), reader) for reader in readers}
        if args.base:
            compiled(ROOT / "awscli_cwlogs")  # both byte-compiled, as pip leaves them
            base = plugin_from(AwsCli(work / "home-base", blackhole.url), extract(args.base, work / "base"))
            clis[f"base {args.base}"] = (base, "journalctl")
        startups = {who: startup_cpu(aws) for who, (aws, _) in clis.items()}
        runs, latencies = {}, {}
        for number in range(args.rounds):
            for row, (name, stream) in enumerate((("one stream", "all"), ("a stream per unit", "{unit}"))):
                for who in (list(clis) if number % 2 == 0 else list(reversed(clis))):
                    label = f"{row}-{number}-{list(clis).index(who)}"  # a state file of its own
                    aws, reader = clis[who]
                    runs.setdefault((name, who), []).append(drain(aws, work, label, stream, end, startups[who], reader))
        for who, (aws, reader) in clis.items():
            latencies[who] = latency(aws, work, reader, blackhole)
    finally:
        blackhole.stop()
    report(args, floor_cpu, startups, runs, latencies)


def report(args, floor_cpu, startups, runs, latencies):
    per_100k = 100_000 / args.entries
    print(f"\n{args.entries:,} journal entries; journalctl alone (-o json, the floor): "
          f"{floor_cpu * per_100k:.2f} CPU-s per 100k; CLI start-up and exit: "
          f"{', '.join(f'{cpu:.2f} CPU-s ({who})' for who, cpu in startups.items())} per run"
          f"{f'; medians of {args.rounds} rounds' if args.rounds > 1 else ''}\n")
    print(f"{'run':52s} {'entries/s':>10s} {'CPU-s/100k':>11s} {'its journalctl':>15s} "
          f"{'agent alone, net of start-up':>29s} {'peak RSS MB':>12s}")
    own, total, net = {}, {}, {}
    for (name, who), results in runs.items():
        elapsed, cpu, child_cpu, own[(name, who)], rss = (statistics.median(column) for column in zip(*results))
        total[(name, who)], net[(name, who)] = cpu, cpu - startups[who]
        print(f"{name + ' (' + who + ')':52s} {args.entries / elapsed:10,.0f} {cpu * per_100k:11.2f} "
              f"{child_cpu * per_100k:15.2f} {own[(name, who)] * per_100k:29.2f} {rss:12.0f}")
    for name in dict.fromkeys(name for name, _ in runs):
        pair = [total.get((name, f"this checkout, {reader}")) for reader in ("libsystemd", "journalctl")]
        if None not in pair:
            print(f"{name}: total CPU, libsystemd / journalctl reader: {pair[0] / pair[1]:.2f} (target <= 0.5)")
        pair = [net.get((name, f"this checkout, {reader}")) for reader in ("libsystemd", "journalctl")]
        if None not in pair:
            print(f"{name}: total CPU net of start-up, libsystemd / journalctl reader: {pair[0] / pair[1]:.2f}")
        if args.base:
            print(f"{name}: the agent alone, this checkout (journalctl) / base {args.base}: "
                  f"{own[(name, 'this checkout, journalctl')] / own[(name, f'base {args.base}')]:.2f}")
    for who, (p50, p95) in latencies.items():
        print(f"journal write -> accepted ({who}, buffer_duration 1000): p50 {p50:.2f} s, p95 {p95:.2f} s")


if __name__ == "__main__":
    main()
