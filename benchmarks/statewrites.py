"""What the state file costs per accepted batch: StateStore.save (positions and counts, in one
transaction) as this checkout does it against a base revision, in one run: rounds alternate which
goes first, medians compared.

    python3 dev.py bench-state [--base REV] [--saves N] [--rounds R] [--files F]

Each run is a process of its own that opens a state file in a fresh folder on this disk (as the
agent does, WAL mode), saves N batches of F files' positions with their counts, closes it, and
reports its own CPU seconds (rusage) and wall time for the saves alone. The push benchmarks send
10,000-event batches, where a save per batch is too rare to show.
"""
import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.compare import extract  # noqa: E402

BASE = "ef1f8d4"  # main before issue 34 (the state kept in memory, written through)

ONE_RUN = """
import json, os, resource, sys, time
from awscli_cwlogs.kvstore import StateStore
folder, saves, files = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
store = StateStore(os.path.join(folder, "agent-state"))
counts = {"events_sent": 500, "batches_sent": 1, "message_bytes": 60_000}
cpu, wall = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
for i in range(saves):
    store.save("group", "stream", {(f"fp{f}", f): (f"/var/log/app{f}.log", i * 1000) for f in range(files)}, counts)
after = resource.getrusage(resource.RUSAGE_SELF)
elapsed = time.perf_counter() - wall
store.close()
print(json.dumps({"cpu": after.ru_utime + after.ru_stime - cpu.ru_utime - cpu.ru_stime, "wall": elapsed}))
"""


def one_run(tree, saves, files):
    with tempfile.TemporaryDirectory(dir=ROOT) as folder:  # this disk, not a tmpfs
        result = subprocess.run([sys.executable, "-c", ONE_RUN, folder, str(saves), str(files)], cwd=folder,
                                env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"}, capture_output=True,
                                text=True, check=True)
    return json.loads(result.stdout)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default=BASE)
    parser.add_argument("--saves", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--files", type=int, default=1, help="positions per batch (default 1)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        trees = {"base": extract(args.base, Path(work) / "base"), "this": ROOT}
        runs = {who: [] for who in trees}
        for round_ in range(args.rounds):
            order = list(trees) if round_ % 2 == 0 else list(reversed(trees))
            for who in order:
                runs[who].append(one_run(trees[who], args.saves, args.files))
    print(f"StateStore.save, {args.saves:,} batches of {args.files} position(s), {args.rounds} rounds, medians")
    print(f"{'':6s} {'CPU-s':>8s} {'wall-s':>8s} {'us CPU/save':>12s}")
    medians = {}
    for who, results in runs.items():
        cpu = statistics.median(r["cpu"] for r in results)
        wall = statistics.median(r["wall"] for r in results)
        medians[who] = cpu
        print(f"{who:6s} {cpu:8.2f} {wall:8.2f} {cpu / args.saves * 1e6:12.1f}")
    print(f"this / base: {medians['this'] / medians['base']:.2f}x CPU per save ({args.base} as base)")


if __name__ == "__main__":
    main()
