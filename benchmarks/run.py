"""The benchmark: one command, one table. See benchmarks/README.md.

    python3 dev.py bench [--lines N] [--old-agent] [--backlog-gb G] [--skip-idle]

Every figure comes from this run on this machine, so ratios (to the Python floor, to the old
agent) compare like with like. Client CPU and peak RSS come from the `aws` process's own
rusage (os.wait4), never from the endpoints, which run as separate processes.
"""
import argparse
import contextlib
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.floor import floor_cpu  # noqa: E402
from tests.harness.awscli import AwsCli  # noqa: E402
from tests.harness.logsapi import LogsApi, LogsApiError  # noqa: E402
from tests.harness.motoserver import MotoServer, free_port  # noqa: E402
from tests.harness.pushagent import accepted_offset  # noqa: E402

DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f"
OLD_AGENT_VENV = Path.home() / ".cache" / "awscli-cwlogs" / "old-agent"  # outside the source tree


def make_log(path, count, start=None):
    """``count`` lines of ~160 bytes, each starting with a timestamp that needs parsing."""
    start = start or time.time() - 3600
    with open(path, "w") as out:
        for chunk in range(0, count, 10_000):
            out.write("".join(
                f"{time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime(start + i / 200))}.{i % 1000:03d} INFO "
                f"worker-{i % 8} request {i:09d} served path=/api/v1/items/{i % 977} status=200 "
                f"bytes={i % 4096} ms={i % 97} user=u{i % 5000:05d} trace=t{i * 7919 % 1_000_003:07d} "
                f"region=eu-west-1 host=web-{i % 16:02d}\n"
                for i in range(chunk, min(chunk + 10_000, count))))


class Run:
    """One measured `aws` process: wall time, CPU and peak RSS from its own rusage."""

    def __init__(self, command, env, stdin=None, stdout=subprocess.DEVNULL):
        self.started = time.monotonic()
        self.process = subprocess.Popen(command, env=env, stdin=stdin, stdout=stdout, stderr=subprocess.DEVNULL)

    def stop(self, signum=None):
        if signum is not None:
            self.process.send_signal(signum)
        _, status, usage = os.wait4(self.process.pid, 0)
        self.process.returncode = os.waitstatus_to_exitcode(status)
        self.elapsed = time.monotonic() - self.started
        self.cpu = usage.ru_utime + usage.ru_stime
        self.rss_mb = usage.ru_maxrss / 1024
        return self


def wait_for(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return time.monotonic()
        time.sleep(0.05)
    raise SystemExit(f"benchmark: timed out waiting for {what}")


def lines_benchmark(prefix, what="lines"):
    """(arguments, work folder, log): --lines and --rounds parsed, the file benchmark's lines written."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=500_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix=prefix))
    log = work / "app.log"
    print(f"writing {args.lines:,} {what} ...", flush=True)
    make_log(log, args.lines)
    return args, work, log


def section_source(kind, log, docker_root):
    """The [app] keys that read the benchmark's lines: as a file (timestamps parsed) or as docker records."""
    if kind == "file":
        return f"file = {log}\ndatetime_format = {DATETIME_FORMAT}\ntime_zone = UTC\n"
    return f"source = docker\ndocker_root = {docker_root}\n"


def push_config(work, name, source, general="", stream=None, buffer_ms=200):
    """An agent config with one section, [app], whose input is ``source`` (its keys), to stream
    ``stream`` (a name template; default ``name``), batches buffered ``buffer_ms``."""
    config = work / f"{name}.conf"
    config.write_text(f"[general]\nstate_file = {work / (name + '.state')}\n{general}[app]\n{source}"
                      f"log_group_name = bench\nlog_stream_name = {stream or name}\nbuffer_duration = {buffer_ms}\n")
    return config, work / f"{name}.state"


def last_line_bytes(path):
    with open(path, "rb") as file:
        file.seek(max(path.stat().st_size - 65536, 0))
        return len(file.read().splitlines(keepends=True)[-1])


def drain(aws, config, state, size, label):
    """The finished Run of an agent that drains a file of ``size`` bytes (but its last line)."""
    run = Run(aws.command("logs", "push", "--config-file", config), aws.env)
    wait_for(lambda: accepted_offset(state) >= size or run.process.poll() is not None, 1800, label)
    if run.process.returncode is not None:
        raise SystemExit(f"benchmark: {label} exited early ({run.process.returncode})")
    return run.stop(signal.SIGTERM)


def alternate(work, rounds, lines, cases, **section):
    """({case: [CPU-s per 100k events net of start-up, a round each]}, the CLI's start-up CPU):
    each case (name -> (its section's keys, the bytes it drains[, its stream name template]))
    drained by `aws logs push` to a blackhole in turn, ``rounds`` times, each run printed as it
    ends; ``section``: push_config's buffer_ms."""
    cpu = {case: [] for case in cases}
    with blackhole_cli(work) as (aws, startup):
        for round_number in range(rounds):
            for case, (source, size, *stream) in cases.items():
                name = f"{case}-{round_number}"
                config, state = push_config(work, name, source, stream=stream[0] if stream else None, **section)
                run = drain(aws, config, state, size, name)
                cpu[case].append(max(run.cpu - startup, 0) * 100_000 / lines)
                print(f"  {name}: {lines / run.elapsed:,.0f} events/s, {cpu[case][-1]:.2f} CPU-s per 100k "
                      f"net of start-up, peak RSS {run.rss_mb:.1f} MB", flush=True)
    return cpu, startup


@contextlib.contextmanager
def blackhole_cli(work):
    """(an `aws` CLI whose endpoint is a blackhole of its own, the CLI's start-up CPU)."""
    blackhole = Blackhole(0)
    try:
        aws = AwsCli(work / "home", blackhole.url)
        yield aws, startup_cpu(aws)
    finally:
        blackhole.stop()


class Blackhole:
    def __init__(self, pull_events):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen([sys.executable, str(ROOT / "benchmarks" / "blackhole.py"), str(self.port),
                                         str(pull_events)], stdout=subprocess.PIPE)
        self.process.stdout.readline()

    def stats(self):
        with urllib.request.urlopen(f"{self.url}/stats") as response:
            return json.loads(response.read())

    def reset(self):
        urllib.request.urlopen(urllib.request.Request(f"{self.url}/reset", method="POST")).close()

    def stop(self):
        self.process.terminate()
        self.process.wait()


def stored_chars(api, group, stream):
    """Characters of message text moto holds for a stream: DescribeLogStreams' storedBytes, a running
    sum in moto (GetLogEvents would sort the whole stream on every poll and slow moto down)."""
    try:
        streams = api.call("DescribeLogStreams", {"logGroupName": group, "logStreamNamePrefix": stream})["logStreams"]
    except LogsApiError:  # the agent has not created the group yet
        return 0
    return sum(s.get("storedBytes", 0) for s in streams if s["logStreamName"] == stream)


class Bench:
    def __init__(self, work, lines, moto, blackhole):
        self.work, self.lines, self.moto, self.blackhole = work, lines, moto, blackhole
        self.log = work / "app.log"
        self.rows = []
        self.last_line_bytes = 0  # set once the log is written

    def aws(self, endpoint, venv_bin=None):
        cli = AwsCli(self.work / f"home-{len(self.rows)}", endpoint)
        if venv_bin:  # the old agent: its own venv and plugin module name
            cli.config_file.write_text(cli.config_file.read_text().replace("awscli_cwlogs", "cwlogs"))
            cli.command = lambda *args: [str(venv_bin / "aws"), *map(str, args)]
        return cli

    def config(self, name):
        return push_config(self.work, name, section_source("file", self.log, None))[0]

    def record(self, what, endpoint, run, events, startup_cpu):
        self.rows.append({
            "run": what, "endpoint": endpoint, "events": events, "seconds": run.elapsed,
            "events_per_s": events / run.elapsed, "cpu_per_100k": run.cpu * 100_000 / events,
            "cpu_per_100k_net": max(run.cpu - startup_cpu, 0) * 100_000 / events, "rss_mb": run.rss_mb,
        })

    def push_file(self, endpoint_name, url, startup_cpu, counter=None, venv_bin=None, label="push file"):
        """``counter`` (events the endpoint holds) tells when the old agent is done; ours is done when
        its state file records the whole file as accepted, which costs the endpoint nothing."""
        stream = f"{label.replace(' ', '-')}-{endpoint_name}"
        config = self.config(stream)
        cli = self.aws(url, venv_bin)
        run = Run(cli.command("logs", "push", "--config-file", config), cli.env)
        # Done when every event but the last is accepted: an agent holds the last line for a second
        # in case continuation lines follow (latency, measured on its own below, not throughput).
        size = self.log.stat().st_size - self.last_line_bytes
        done = (lambda: counter(stream) >= self.lines - 1) if counter else (
            lambda: accepted_offset(self.work / f"{stream}.state") >= size)
        wait_for(lambda: done() or run.process.poll() is not None, 1800,
                 f"{label} to {endpoint_name}")
        if run.process.returncode is not None:
            raise SystemExit(f"benchmark: {label} to {endpoint_name} exited early ({run.process.returncode})")
        self.record(label, endpoint_name, run.stop(signal.SIGTERM), self.lines, startup_cpu)
        return stream

    def push_stdin(self, endpoint_name, url, startup_cpu):
        stream = f"stdin-{endpoint_name}"
        cli = self.aws(url)
        with open(self.log, "rb") as stdin:
            run = Run(cli.command("logs", "push", "--log-group-name", "bench", "--log-stream-name", stream,
                                  "--datetime-format", DATETIME_FORMAT, "--time-zone", "UTC"),
                      cli.env, stdin=stdin).stop()
        self.record("push stdin", endpoint_name, run, self.lines, startup_cpu)

    def pull(self, endpoint_name, url, stream, startup_cpu):
        cli = self.aws(url)
        run = Run(cli.command("logs", "pull", "--log-group-name", "bench", "--log-stream-name", stream), cli.env).stop()
        self.record("pull", endpoint_name, run, self.lines, startup_cpu)


def ensure_old_agent():
    """awscli-cwlogs 1.4.6 from PyPI in a venv of its own (its plugin module is `cwlogs`)."""
    if (OLD_AGENT_VENV / "bin" / "aws").exists():
        return
    print(f"installing awscli-cwlogs 1.4.6 into {OLD_AGENT_VENV}", flush=True)
    subprocess.run([sys.executable, "-m", "venv", str(OLD_AGENT_VENV)], check=True)
    subprocess.run([str(OLD_AGENT_VENV / "bin" / "pip"), "install", "--quiet", "awscli-cwlogs==1.4.6"], check=True)


def startup_cpu(aws):
    """CPU of an `aws logs push` that reads nothing: the CLI's own start-up and exit."""
    runs = [Run(aws.command("logs", "push", "--log-group-name", "b", "--log-stream-name", "s", "--dry-run"),
                aws.env, stdin=subprocess.DEVNULL).stop() for _ in range(3)]
    if any(run.process.returncode for run in runs):
        raise SystemExit("benchmark: `aws logs push --dry-run` failed; is the plugin installed?")
    return statistics.median(run.cpu for run in runs)


def latency_and_first_put(work, blackhole):
    """append -> accepted p50/p95 with buffer_duration 1000, and start -> first PutLogEvents."""
    log = work / "latency.log"
    log.write_text("".join(f"warm line {i} sent=0.0\n" for i in range(100)))
    config = work / "latency.conf"
    config.write_text(f"[general]\nstate_file = {work / 'latency.state'}\n[app]\nfile = {log}\n"
                      "log_group_name = bench\nlog_stream_name = latency\nbuffer_duration = 1000\n")
    blackhole.reset()
    aws = AwsCli(work / "home-latency", blackhole.url)
    started = time.time()
    agent = Run(aws.command("logs", "push", "--config-file", config), aws.env)
    wait_for(lambda: blackhole.stats()["first_put"] is not None, 30, "the first PutLogEvents")
    first_put = blackhole.stats()["first_put"] - started
    blackhole.reset()
    with open(log, "a") as out:
        for i in range(300):  # 20 lines a second for 15 s
            out.write(f"line {i} sent={time.time():.6f}\n")
            out.flush()
            time.sleep(0.05)
    wait_for(lambda: len(blackhole.stats()["latencies"]) >= 300, 30, "the latency lines")
    agent.stop(signal.SIGTERM)
    latencies = sorted(blackhole.stats()["latencies"])
    return first_put, latencies[len(latencies) // 2], latencies[int(len(latencies) * 0.95)]


def idle_cpu(work, moto_url, seconds=60, files=100):
    conf = f"[general]\nstate_file = {work / 'idle.state'}\n"
    for i in range(files):
        (work / f"idle{i}.log").write_text(f"first line of quiet file {i}\n")
        conf += f"[s{i}]\nfile = {work / f'idle{i}.log'}\nlog_group_name = idle\nlog_stream_name = s{i}\n"
    (work / "idle.conf").write_text(conf)
    aws = AwsCli(work / "home-idle", moto_url)
    agent = Run(aws.command("logs", "push", "--config-file", work / "idle.conf"), aws.env)
    time.sleep(8)
    before = process_cpu(agent.process.pid)
    time.sleep(seconds)
    used = process_cpu(agent.process.pid) - before
    agent.stop(signal.SIGTERM)
    return 100 * used / seconds


def process_cpu(pid):
    """CPU seconds (user + system) a live process has used so far, from /proc."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def backlog_rss(work, blackhole, gigabytes):
    log = work / "backlog.log"
    lines = int(gigabytes * 1e9 / 160)
    make_log(log, lines)
    config = work / "backlog.conf"
    config.write_text(f"[general]\nstate_file = {work / 'backlog.state'}\n[app]\nfile = {log}\n"
                      f"log_group_name = bench\nlog_stream_name = backlog\ndatetime_format = {DATETIME_FORMAT}\n"
                      "time_zone = UTC\n")
    blackhole.reset()
    aws = AwsCli(work / "home-backlog", blackhole.url)
    run = Run(aws.command("logs", "push", "--config-file", config), aws.env)
    wait_for(lambda: blackhole.stats()["events"] >= lines, 3600, "the backlog to drain")
    run.stop(signal.SIGTERM)
    log.unlink()
    return lines, run


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=500_000)
    parser.add_argument("--old-agent", action="store_true", help=f"also run awscli-cwlogs 1.4.6 from {OLD_AGENT_VENV}")
    parser.add_argument("--backlog-gb", type=float, default=2.0, help="peak RSS while draining a backlog (0: skip)")
    parser.add_argument("--skip-idle", action="store_true", help="skip the 60 s idle measurement")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cwlogs-bench-") as work:
        work = Path(work)
        bench = Bench(work, args.lines, MotoServer(work / "moto.log"), Blackhole(args.lines))
        try:
            report(bench, args, work)
        finally:
            bench.moto.stop()
            bench.blackhole.stop()


def report(bench, args, work):
    make_log(bench.log, args.lines)
    size_mb = bench.log.stat().st_size / 1e6
    print(f"{args.lines:,} lines, {size_mb:.0f} MB ({size_mb * 1e6 / args.lines:.0f} bytes a line)", flush=True)
    floor = min(floor_cpu(bench.log, DATETIME_FORMAT) for _ in range(3))  # the least disturbed of 3
    startup = startup_cpu(bench.aws(bench.blackhole.url))
    api = LogsApi(bench.moto.url)
    lines = [len(line) - 1 for line in open(bench.log)]
    bench.last_line_bytes = lines[-1] + 1
    text_chars = sum(lines) - lines[-1]  # what moto counts as stored bytes, all but the last line
    moto_count = lambda stream: bench.lines - 1 if stored_chars(api, "bench", stream) >= text_chars else 0  # noqa: E731
    bench.blackhole.reset()
    bench.push_file("blackhole", bench.blackhole.url, startup)
    bench.blackhole.reset()
    bench.push_stdin("blackhole", bench.blackhole.url, startup)
    bench.pull("blackhole", bench.blackhole.url, "synthetic", startup)
    stream = bench.push_file("moto", bench.moto.url, startup)
    bench.push_stdin("moto", bench.moto.url, startup)
    bench.pull("moto", bench.moto.url, stream, startup)
    old = None
    if args.old_agent:
        ensure_old_agent()
        bench.push_file("moto", bench.moto.url, startup, counter=moto_count,
                        venv_bin=OLD_AGENT_VENV / "bin", label="old agent push file")
        old = bench.rows[-1]
    print_table(bench.rows, floor, old, startup)
    first_put, p50, p95 = latency_and_first_put(work, bench.blackhole)
    print(f"\nstart -> first PutLogEvents: {first_put:.2f} s;  append -> accepted (buffer_duration 1000): "
          f"p50 {p50:.2f} s, p95 {p95:.2f} s")
    if not args.skip_idle:
        print(f"100 idle watched files: {idle_cpu(work, bench.moto.url):.2f} % of one core (60 s)")
    if args.backlog_gb:
        lines, run = backlog_rss(work, bench.blackhole, args.backlog_gb)
        print(f"draining a {args.backlog_gb:g} GB backlog ({lines:,} lines) to the blackhole: peak RSS "
              f"{run.rss_mb:.1f} MB, {lines / run.elapsed:,.0f} events/s, "
              f"{run.cpu * 100_000 / lines:.2f} CPU-s per 100k")


def print_table(rows, floor, old, startup):
    print(f"\nPython floor (read + split + timestamp + JSON + SHA-256, no HTTP): {floor:.3f} CPU-s per 100k")
    print(f"CLI start-up and exit (aws logs push, no input): {startup:.2f} CPU-s per run")
    print(f"\n{'run':22s} {'endpoint':10s} {'events/s':>10s} {'CPU-s/100k':>11s} {'net of start-up':>16s} "
          f"{'x floor':>8s} {'peak RSS':>9s} {'vs old agent':>13s}")
    for row in rows:
        versus = f"{row['events_per_s'] / old['events_per_s']:.1f}x rate" if old and row is not old else ""
        print(f"{row['run']:22s} {row['endpoint']:10s} {row['events_per_s']:>10,.0f} {row['cpu_per_100k']:>11.2f} "
              f"{row['cpu_per_100k_net']:>16.2f} {row['cpu_per_100k_net'] / floor:>8.2f} {row['rss_mb']:>7.1f}MB "
              f"{versus:>13s}", flush=True)


if __name__ == "__main__":
    main()
