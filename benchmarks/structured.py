"""Structured lines next to raw lines: one file of JSON lines (~250 bytes, 20 services), drained
by `aws logs push` to the blackhole endpoint twice per round: as raw text lines (no structured
key) to one stream, and as JSON with the time from a field, each service to its own stream
({json:service}), a field masked and three detectors (every line's password field masked, an
IPv4 address in every line, an e-mail address in every tenth). Both with the default
buffer_duration (5 s): with 20 streams, a shorter one sends 20 times the requests, which is the
benchmark's choice, not an operator's. CPU from each process's own rusage, net of the CLI's
start-up; several rounds, alternating, and the medians compared (this machine varies by +-15 %
run to run).

    python3 dev.py bench-structured [--lines N] [--rounds R]     (default 1,000,000 lines, 3 rounds)

With --floor, it measures instead, in this process, the passes over a read's text that the JSON
case needs at the least, with no Python per line (what the 1.6x target is up against).
"""
import argparse
import json
import statistics
import sys
import tempfile
import time
import timeit
from itertools import repeat
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.run import alternate, last_line_bytes  # noqa: E402

CASES = {
    "raw": "",
    "json": "log_format = json\ntimestamp_key = time\nmask_fields = password\n"
            "mask_detectors = email, ipv4, credit_card\n",
}
STREAMS = {"json": "{json:service}"}  # the raw case: one stream, named after the run


def make_json_log(path, count):
    """``count`` JSON lines of about 250 bytes, the time an ISO 8601 field, 5 ms apart."""
    start = time.time() - 3600
    with open(path, "w") as out:
        for chunk in range(0, count, 10_000):
            out.write("".join(json.dumps({
                "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(start + i / 200)) + f".{i * 5 % 1000:03d}Z",
                "level": "info", "service": f"svc-{i % 20:02d}", "region": "eu-west-1",
                "msg": f"request {i:09d} served path=/api/v1/items/{i % 977} status=200 bytes={i % 4096}",
                "client": f"10.{i % 250}.{i // 250 % 250}.{i % 7 + 1}",
                "user": {"id": i % 5000, "password": f"pw-{i % 99991:05d}",
                         "email": f"u{i % 5000:05d}@example.com" if i % 10 == 0 else None},
            }) + "\n" for i in range(chunk, min(chunk + 10_000, count))))


def floor(log, reads=20, per_read=1000):
    """µs a line of the C-level passes the JSON case needs at the least, over reads of the log's lines."""
    from awscli_cwlogs.lines.masking import MARK, detectors
    from awscli_cwlogs.lines.records import FieldEdits
    from awscli_cwlogs.lines.recordscan import FieldScan
    lines = log.read_text().split("\n")[:reads * per_read]
    chunks = [lines[start:start + per_read] for start in range(0, len(lines), per_read)]
    scan = FieldScan(["time", "service"])
    masks = [FieldEdits(["password"], []).text_rule().pattern, detectors()["email"].pattern,
             detectors()["ipv4"].pattern]
    card = detectors()["credit_card"].worth_trying

    def passes():
        for chunk in chunks:
            text = "\n" + "\n".join(chunk)
            scan.read(chunk[:1], "\n" + chunk[0])  # the pattern, compiled and cached for the keys' order
            scan._all_at_once(chunk[0], text)  # the two fields, one pattern
            for pattern in masks:
                pattern.split(text)
            card(text)
            marked = text.split("\n")
            list(map(str.count, marked, repeat(MARK)))  # each line's count
            text.replace(MARK, "***").split("\n")  # the lines sent
    return min(timeit.repeat(passes, number=1, repeat=7)) / len(lines) * 1e6


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--floor", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="cwlogs-bench-structured-"))
    log = work / "app.log"
    print(f"writing {args.lines:,} JSON lines ...", flush=True)
    make_json_log(log, args.lines)
    if args.floor:
        print(f"the passes over the text the JSON case needs at the least: {floor(log):.2f} µs a line")
        return
    size = log.stat().st_size - last_line_bytes(log)
    cases = {case: (f"file = {log}\ntime_zone = UTC\n{keys}", size, STREAMS.get(case)) for case, keys in CASES.items()}
    cpu, startup = alternate(work, args.rounds, args.lines, cases, buffer_ms=5000)
    raw, structured = statistics.median(cpu["raw"]), statistics.median(cpu["json"])
    print(f"\n{args.lines:,} lines ({log.stat().st_size / 1e6:.0f} MB, {log.stat().st_size / args.lines:.0f} bytes a "
          f"line); CLI start-up and exit {startup:.2f} CPU-s per run; medians of {args.rounds} rounds:")
    print(f"  raw lines    {raw:.2f} CPU-s per 100k events")
    print(f"  JSON lines   {structured:.2f} CPU-s per 100k events  = {structured / raw:.2f} x the raw lines "
          f"(target <= 1.6)")


if __name__ == "__main__":
    main()
