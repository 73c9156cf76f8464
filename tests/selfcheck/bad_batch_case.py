"""Not collected by the normal run: tests/integration/test_wirecheck.py runs it in its own pytest
and expects it to FAIL, which shows that the strict wire check fails a test that sends a
batch AWS would reject, even though moto accepts it."""
import json


def test_sends_a_batch_aws_would_reject(aws, logs, tmp_path):
    logs.create_stream("app", "bad")
    events = [{"timestamp": 1_795_132_800_000, "message": "x"} for _ in range(10_001)]
    batch = tmp_path / "events.json"
    batch.write_text(json.dumps(events))
    aws.run("logs", "put-log-events", "--log-group-name", "app", "--log-stream-name", "bad",
            "--log-events", f"file://{batch}")
