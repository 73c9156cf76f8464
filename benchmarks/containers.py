"""The docker source next to the file source, on the same lines: the file benchmark's log as a
plain file (timestamps parsed from the lines) and wrapped as Docker json-file records (the time
from each record) in a container's folder, each drained by `aws logs push` to the blackhole
endpoint. CPU from each process's own rusage, net of the CLI's start-up; several rounds,
alternating, and the medians compared (this machine varies by +-15 % run to run).

    python3 dev.py bench-containers [--lines N] [--rounds R]     (default 500,000 lines, 3 rounds)
"""
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.run import alternate, last_line_bytes, lines_benchmark, section_source  # noqa: E402
from tests.harness.containers import DockerContainer, rfc3339  # noqa: E402


def docker_copy(log, root):
    """The lines of ``log`` as a container's json-file records (one a line, the time 5 ms apart)."""
    container = DockerContainer(root, "app")
    start = time.time() - 3600
    with open(log) as lines, open(container.log, "w") as out:
        for number, line in enumerate(lines):
            out.write(json.dumps({"log": line, "stream": "stdout", "time": rfc3339(start + number / 200)}) + "\n")
    return container.log


def main():
    args, work, log = lines_benchmark("cwlogs-bench-containers-", "lines, and the same as json-file records")
    records = docker_copy(log, work / "docker")
    last = {path: last_line_bytes(path) for path in (log, records)}  # not read whole: a child's peak RSS
    # counts its parent's from before the exec
    cases = {kind: (section_source(kind, log, work / "docker"), path.stat().st_size - last[path])
             for kind, path in (("file", log), ("docker", records))}
    cpu, startup = alternate(work, args.rounds, args.lines, cases)
    file_cpu, docker_cpu = statistics.median(cpu["file"]), statistics.median(cpu["docker"])
    print(f"\n{args.lines:,} lines ({log.stat().st_size / 1e6:.0f} MB as a file, {records.stat().st_size / 1e6:.0f} MB "
          f"as records); CLI start-up and exit {startup:.2f} CPU-s per run; medians of {args.rounds} rounds:")
    print(f"  file source    {file_cpu:.2f} CPU-s per 100k events")
    print(f"  docker source  {docker_cpu:.2f} CPU-s per 100k events  = {docker_cpu / file_cpu:.2f} x the file source "
          f"(target <= 1.3)")


if __name__ == "__main__":
    main()
