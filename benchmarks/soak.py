"""The journald soak: `aws logs push` reading a journal that grows at a steady pace while its files
rotate and the oldest are vacuumed, for MINUTES minutes, against the blackhole endpoint. Every
SAMPLE seconds it records the agent's resident memory, its open descriptors and its CPU, so a
leak in the reader (memory libsystemd allocates, journal files kept open after deletion) shows as
a slope. Flat means: each minute's RSS peak, once FILES_KEPT files exist, within a few MB of the
others, the descriptors bounded, and every entry written accepted.

    python3 dev.py bench-soak [--minutes 10] [--reader libsystemd] [--per-second 500]
"""
import argparse
import os
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.run import Blackhole, Run, process_cpu, wait_for  # noqa: E402
from tests.harness.awscli import AwsCli  # noqa: E402
from tests.harness.journal import JournalWriter, journal_remote_missing, numbered  # noqa: E402

SAMPLE_S = 10
FILES_KEPT = 3  # journal files kept: older ones are vacuumed


class PacedJournal(threading.Thread):
    """Appends numbered entries, ``per_second`` of them every second, a new file every
    ``per_file`` entries; keeps FILES_KEPT files and deletes the oldest, as journald's vacuum."""

    def __init__(self, folder, per_second, per_file):
        super().__init__(daemon=True)
        self.journal, self.per_second, self.per_file = JournalWriter(folder), per_second, per_file
        self.files, self.written, self.rotations, self.stop = [self.journal.path], 0, 0, threading.Event()

    def run(self):
        next_at = time.monotonic()
        while not self.stop.is_set():
            self.journal.append(numbered(self.written, self.per_second, unit=f"u{self.written % 7}.service"))
            self.written += self.per_second
            if self.written % self.per_file < self.per_second:
                self.rotations += 1
                self.journal.path = self.journal.folder / f"soak-{self.rotations}.journal"
                self.files.append(self.journal.path)
                while len(self.files) > FILES_KEPT:
                    self.files.pop(0).unlink(missing_ok=True)
            next_at += 1.0
            self.stop.wait(max(0.0, next_at - time.monotonic()))


def sample(pid):
    """(RSS in MB, open descriptors, CPU seconds so far) of a live process."""
    status = Path(f"/proc/{pid}/status").read_text()
    rss_kb = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")))
    return rss_kb / 1024, len(os.listdir(f"/proc/{pid}/fd")), process_cpu(pid)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--reader", default="libsystemd", choices=("libsystemd", "journalctl"))
    parser.add_argument("--per-second", type=int, default=500)
    args = parser.parse_args()
    if journal_remote_missing():
        raise SystemExit(f"benchmark: {journal_remote_missing()}")
    work = Path(tempfile.mkdtemp(prefix="cwlogs-soak-"))
    journal = PacedJournal(work / "journal", args.per_second, per_file=args.per_second * 60)
    journal.journal.append(numbered(0, 1))
    journal.written = 1
    blackhole = Blackhole(0)
    try:
        aws = AwsCli(work / "home", blackhole.url)
        config = work / "soak.conf"
        config.write_text(f"[general]\nstate_file = {work / 'soak.state'}\n[soak]\nsource = journald\n"
                          f"journal_directory = {work / 'journal'}\nlog_group_name = soak\n"
                          "log_stream_name = {unit}\nbuffer_duration = 1000\n"
                          f"journal_reader = {args.reader}\n")
        agent = Run(aws.command("logs", "push", "--config-file", config), aws.env)
        journal.start()
        rows, started = [], time.monotonic()
        while time.monotonic() - started < args.minutes * 60:
            time.sleep(SAMPLE_S)
            rows.append((time.monotonic() - started, *sample(agent.process.pid), blackhole.stats()["events"]))
            print("  %6.0f s  RSS %6.1f MB  fds %3d  CPU %7.2f s  accepted %9d" % rows[-1], flush=True)
        journal.stop.set()
        journal.join()
        wait_for(lambda: blackhole.stats()["events"] >= journal.written, 120, "every entry accepted")
        agent.stop(signal.SIGTERM)
    finally:
        blackhole.stop()
    report(args, rows, journal, agent)


def report(args, rows, journal, agent):
    per_minute = max(1, 60 // SAMPLE_S)
    rss = [row[1] for row in rows]
    fds = [row[2] for row in rows]
    cpu_per_100k = (rows[-1][3] - rows[0][3]) / max(1, rows[-1][4] - rows[0][4]) * 100_000
    # RSS climbs as the newest file is mapped and falls when the oldest is vacuumed: compare the
    # minutes' peaks once FILES_KEPT files exist (a new file a minute), not one moment with another
    peaks = [max(rss[at:at + per_minute]) for at in range(0, len(rss), per_minute)]
    steady = peaks[FILES_KEPT - 1:] or peaks
    print(f"\n{args.minutes:g} minutes, reader {args.reader}: {journal.written:,} entries written "
          f"({args.per_second}/s), {journal.rotations} rotations, {FILES_KEPT} files kept (older vacuumed)")
    print("RSS MB, each minute's peak: " + " ".join(f"{peak:.1f}" for peak in peaks))
    print(f"RSS MB from minute {FILES_KEPT} on: peaks {min(steady):.1f} to {max(steady):.1f}; "
          f"peak {max(rss):.1f} (rusage {agent.rss_mb:.1f})")
    print(f"open descriptors: min {min(fds)}, max {max(fds)}, last {fds[-1]}")
    print(f"CPU: {cpu_per_100k:.2f} CPU-s per 100k entries while soaking; exit code {agent.process.returncode}")


if __name__ == "__main__":
    main()
