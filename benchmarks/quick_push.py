"""A quick push measurement: N timestamped lines of ~120 bytes, file mode and stdin mode, against
moto directly (no proxy). Reports events/s and the agent's own CPU-seconds per 100k events.

    .venv/bin/python benchmarks/quick_push.py [N]

The full benchmark harness (floor, blackhole endpoint, old agent) is a later step.
"""
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.harness.awscli import AwsCli  # noqa: E402
from tests.harness.logsapi import LogsApi  # noqa: E402
from tests.harness.motoserver import MotoServer  # noqa: E402


def make_log(path, count):
    start = time.time() - 3600
    with open(path, "w") as out:
        for i in range(count):
            stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(start + i / 100))
            out.write(f"{stamp}.{i % 1000:03d} INFO worker-{i % 8} request {i:09d} served path=/api/v1/items\n")


def child_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(label, command, aws, api, group, stream, count, stdin=None):
    cpu_before, started = child_cpu(), time.monotonic()
    process = aws.popen(*command, stdin=stdin, stderr=subprocess.DEVNULL)
    if stdin is None:  # file mode: stop the agent once everything is stored
        while not _all_stored(api, group, stream, count):
            time.sleep(0.2)
        elapsed = time.monotonic() - started
        process.send_signal(signal.SIGTERM)
        process.wait(60)
    else:
        process.wait(600)
        elapsed = time.monotonic() - started
    cpu = child_cpu() - cpu_before
    print(f"{label:10s} {count:>9,} events {elapsed:7.2f} s {count / elapsed:>10,.0f} events/s "
          f"{cpu * 100_000 / count:6.2f} CPU-s per 100k (whole aws process)")


def _all_stored(api, group, stream, count):
    try:
        page = api.call("GetLogEvents", {"logGroupName": group, "logStreamName": stream, "startFromHead": False,
                                         "limit": 1})
    except Exception:
        return False
    return bool(page["events"]) and page["events"][-1]["message"].split("request ")[1].startswith(f"{count - 1:09d}")


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    with tempfile.TemporaryDirectory(prefix="cwlogs-bench-") as work:
        work = Path(work)
        moto = MotoServer(work / "moto.log")
        try:
            aws = AwsCli(work / "home", moto.url)
            api = LogsApi(moto.url)
            log = work / "app.log"
            make_log(log, count)
            config = work / "awslogs.conf"
            config.write_text(f"[general]\nstate_file = {work / 'state'}\n[app]\nfile = {log}\n"
                              "log_group_name = bench\nlog_stream_name = file\n"
                              "datetime_format = %Y-%m-%d %H:%M:%S.%f\ntime_zone = UTC\nbuffer_duration = 1000\n")
            run("file", ["logs", "push", "--config-file", config], aws, api, "bench", "file", count)
            with open(log, "rb") as stdin:
                run("stdin", ["logs", "push", "--log-group-name", "bench", "--log-stream-name", "stdin",
                              "--datetime-format", "%Y-%m-%d %H:%M:%S.%f", "--time-zone", "UTC"],
                    aws, api, "bench", "stdin", count, stdin=stdin)
        finally:
            moto.stop()


if __name__ == "__main__":
    main()
