"""The demo: a local CloudWatch Logs endpoint (moto), a sample application log shipped with
`aws logs push --config-file`, and `aws logs pull` reading it back. Run: python3 dev.py demo"""
import json
import signal
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.harness.awscli import AwsCli  # noqa: E402
from tests.harness.motoserver import MotoServer  # noqa: E402

GROUP, STREAM = "demo-app", "web-1"


def sample_log(path, count=1000):
    """An application log with timestamps and one multi-line stack trace; returns its events."""
    start = datetime.now(timezone.utc) - timedelta(minutes=10)
    events = []
    for i in range(count):
        stamp = (start + timedelta(milliseconds=500 * i)).isoformat(timespec="milliseconds")
        message = f"{stamp} INFO request {i} served in {i % 97} ms"
        if i == 500:
            message = (f"{stamp} ERROR request {i} failed\nTraceback (most recent call last):\n"
                       '  File "app.py", line 42, in handle\nValueError: bad input')
        events.append(message)
    path.write_text("".join(event + "\n" for event in events))
    return events


def main():
    with tempfile.TemporaryDirectory(prefix="cwlogs-demo-") as work:
        work = Path(work)
        moto = MotoServer(work / "moto.log")
        try:
            run_demo(work, moto)
        finally:
            moto.stop()


def run_demo(work, moto):
    print(f"local CloudWatch Logs endpoint: {moto.url}")
    aws = AwsCli(work / "home", moto.url)
    log = work / "app.log"
    events = sample_log(log)
    config = work / "awslogs.conf"
    config.write_text(
        f"[general]\nstate_file = {work / 'agent-state'}\n\n"
        f"[app]\nfile = {log}\nlog_group_name = {GROUP}\nlog_stream_name = {STREAM}\n"
        "datetime_format = %Y-%m-%dT%H:%M:%S.%f%z\nmulti_line_start_pattern = {datetime_format}\n"
        "buffer_duration = 500\n"
    )
    print(f"sample log: {log} ({len(events)} events, one a multi-line stack trace)\n")
    print(config.read_text())
    print(f"$ aws logs push --config-file {config} --check")
    check = aws.run("logs", "push", "--config-file", config, "--check")
    print(check.stdout + check.stderr)
    if check.returncode != 0:
        raise SystemExit(f"demo failed: --check found problems (exit {check.returncode})")
    print(f"$ aws logs push --config-file {config}     (runs as an agent; stopped with SIGTERM below)")
    agent = aws.popen("logs", "push", "--config-file", config)
    pull = ("logs", "pull", "--log-group-name", GROUP, "--log-stream-name", STREAM, "--output-format", "json")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        result = aws.run(*pull)
        if result.returncode == 0 and result.stdout.count("\n") >= len(events):
            break
        time.sleep(0.5)
    agent.send_signal(signal.SIGTERM)
    code = agent.wait(60)
    print(f"agent stopped, exit status {code}\n")
    print(f"$ aws logs pull --log-group-name {GROUP} --log-stream-name {STREAM} | head -3")
    pulled = aws.run("logs", "pull", "--log-group-name", GROUP, "--log-stream-name", STREAM)
    lines = pulled.stdout.splitlines()
    print("\n".join(lines[:3]))
    got = [json.loads(line)["message"] for line in aws.run(*pull).stdout.splitlines()]
    if code != 0 or got != events:
        raise SystemExit(f"demo failed: pushed {len(events)} events, pulled back {len(got)} (agent exit {code})")
    print(f"\ndemo ok: {len(events)} events pushed from {log.name} and pulled back identical")


if __name__ == "__main__":
    main()
