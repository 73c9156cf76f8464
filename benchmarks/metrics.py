"""What the agent's own metrics cost: `aws logs push` draining the file benchmark's lines to
the blackhole endpoint with metrics off, and with metrics on at a 1 s interval (records to a
metrics group, the Prometheus text file, host metrics), alternating for R rounds; CPU net of
start-up, medians compared.

    python3 dev.py bench-metrics [--lines N] [--rounds R]     (default 500,000 lines, 3 rounds)
"""
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.run import (  # noqa: E402
    blackhole_cli, drain, last_line_bytes, lines_benchmark, push_config, section_source,
)

METRICS_ON = "metrics_log_group = agent-metrics\nmetrics_interval = 1\nmetrics_textfile = {folder}/{name}.prom\n" \
             "host_metrics = cpu, memory, disk, swap, load\n"


def main():
    args, work, log = lines_benchmark("cwlogs-bench-metrics-")
    size = log.stat().st_size - last_line_bytes(log)
    cpu = {"off": [], "on": []}
    with blackhole_cli(work) as (aws, startup):
        for round_number in range(args.rounds):
            for mode in ("off", "on"):
                name = f"{mode}-{round_number}"
                metrics = METRICS_ON.format(folder=work, name=name) if mode == "on" else ""
                config, state = push_config(work, name, section_source("file", log, None), metrics)
                run = drain(aws, config, state, size, name)
                cpu[mode].append(max(run.cpu - startup, 0) * 100_000 / args.lines)
                print(f"  metrics {name}: {args.lines / run.elapsed:,.0f} events/s, {run.elapsed:.1f} s, "
                      f"{cpu[mode][-1]:.3f} CPU-s per 100k net of start-up", flush=True)
    off, on = statistics.median(cpu["off"]), statistics.median(cpu["on"])
    print(f"\n{args.lines:,} lines; CLI start-up and exit {startup:.2f} CPU-s per run; medians of {args.rounds} rounds:")
    print(f"  metrics off               {off:.3f} CPU-s per 100k events")
    print(f"  metrics on, 1 s interval  {on:.3f} CPU-s per 100k events  = {100 * (on / off - 1):+.1f} % "
          f"(target: within 5 %)")


if __name__ == "__main__":
    main()
