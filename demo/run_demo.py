"""The demo: a local CloudWatch Logs endpoint (moto), a few events put with the stock CLI,
and `aws logs pull` reading them back through the plugin. Run it with `python3 dev.py demo`."""
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.harness.awscli import AwsCli  # noqa: E402
from tests.harness.motoserver import MotoServer  # noqa: E402

GROUP, STREAM = "demo-app", "web-1"


def step(aws, *args):
    print("$ aws " + " ".join(args), flush=True)
    result = aws.run(*args)
    sys.stdout.write(result.stdout)
    if result.returncode != 0:
        sys.stderr.write(result.stderr)
        raise SystemExit(f"demo failed: aws {' '.join(args[:2])} exited {result.returncode}")
    return result


def main():
    with tempfile.TemporaryDirectory(prefix="cwlogs-demo-") as work:
        work = Path(work)
        moto = MotoServer(work / "moto.log")
        try:
            print(f"local CloudWatch Logs endpoint: {moto.url}")
            aws = AwsCli(work / "home", moto.url)
            print(f"AWS config with the plugin registered: {aws.config_file}\n")
            now = int(time.time() * 1000)
            events = [{"timestamp": now + i, "message": f"demo line {i}: hello from awscli-cwlogs"} for i in range(5)]
            batch = work / "events.json"
            batch.write_text(json.dumps(events))
            step(aws, "logs", "create-log-group", "--log-group-name", GROUP)
            step(aws, "logs", "create-log-stream", "--log-group-name", GROUP, "--log-stream-name", STREAM)
            step(aws, "logs", "put-log-events", "--log-group-name", GROUP, "--log-stream-name", STREAM,
                 "--log-events", f"file://{batch}", "--output", "text")
            pulled = step(aws, "logs", "pull", "--log-group-name", GROUP, "--log-stream-name", STREAM)
            got = [line.split(" ", 1)[1] for line in pulled.stdout.splitlines()]
            if got != [event["message"] for event in events]:
                raise SystemExit("demo failed: what was pulled differs from what was put")
            print(f"\ndemo ok: {len(got)} events put and pulled back")
        finally:
            moto.stop()


if __name__ == "__main__":
    main()
