"""The strict wire check itself: it must fail tests whose requests AWS would reject."""
import http.client
import json
import subprocess
import sys
import time
from pathlib import Path

from tests.harness.awsrules import put_log_events_violations
from tests.harness.logsapi import LogsApi
from tests.harness.wireproxy import THROTTLE, lose_response

ROOT = Path(__file__).resolve().parents[2]
NOW = int(time.time() * 1000)  # moto, like AWS, drops events older than 14 days


def test_a_test_sending_a_bad_batch_fails():
    case = ROOT / "tests" / "selfcheck" / "bad_batch_case.py"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(case)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 1, result.stdout
    assert "1 error" in result.stdout or "1 failed" in result.stdout
    assert "requests AWS would reject" in result.stdout
    assert "PutLogEvents to app/bad: 10001 events in one batch (max 10000)" in result.stdout


def test_valid_cli_batches_pass_and_bad_ones_get_the_aws_answer(aws, logs, wire, tmp_path):
    logs.create_stream("app", "s")
    good = tmp_path / "good.json"
    good.write_text(json.dumps([{"timestamp": NOW, "message": "a"}, {"timestamp": NOW + 1, "message": "b"}]))
    result = aws.run("logs", "put-log-events", "--log-group-name", "app", "--log-stream-name", "s",
                     "--log-events", f"file://{good}")
    assert result.returncode == 0, result.stderr
    assert wire.violations == []
    [call] = wire.calls_of("PutLogEvents")
    assert call.event_count == 2

    unordered = tmp_path / "unordered.json"  # botocore does not check order; AWS does
    unordered.write_text(json.dumps([{"timestamp": NOW + 5, "message": "c"}, {"timestamp": NOW + 2, "message": "d"}]))
    result = aws.run("logs", "put-log-events", "--log-group-name", "app", "--log-stream-name", "s",
                     "--log-events", f"file://{unordered}")
    assert result.returncode != 0 and "InvalidParameterException" in result.stderr
    assert wire.violations == [f"PutLogEvents to app/s: event 1: timestamp {NOW + 2} before the previous {NOW + 5}"]
    wire.violations.clear()  # seen and expected: do not fail this test for it
    assert len(logs.stored_events("app", "s")) == 2  # the bad batch never reached moto


def test_gzip_bodies_are_checked_decoded(wire, logs):
    logs.create_stream("app", "s")
    bad = {"logGroupName": "app", "logStreamName": "s",
           "logEvents": [{"timestamp": NOW + 1, "message": "b"}, {"timestamp": NOW, "message": "a"}]}
    status, _ = LogsApi(wire.url).send("PutLogEvents", bad, compress=True)
    assert status == 400
    assert wire.calls_of("PutLogEvents")[0].content_encoding == "gzip"
    assert wire.violations == [f"PutLogEvents to app/s: {p}" for p in put_log_events_violations(bad)]
    assert len(wire.violations) == 1 and "before the previous" in wire.violations[0]
    wire.violations.clear()
    good = dict(bad, logEvents=sorted(bad["logEvents"], key=lambda e: e["timestamp"]))
    assert LogsApi(wire.url).send("PutLogEvents", good, compress=True)[0] == 200
    assert [e["message"] for e in logs.stored_events("app", "s")] == ["a", "b"]


def test_faults_are_injected_in_order(wire, logs):
    logs.create_stream("app", "s")
    body = {"logGroupName": "app", "logStreamName": "s", "logEvents": [{"timestamp": NOW, "message": "a"}]}
    wire.faults.queue(THROTTLE)
    wire.faults.queue(lose_response)
    via_proxy = LogsApi(wire.url)
    status, payload = via_proxy.send("PutLogEvents", body)
    assert status == 400 and b"ThrottlingException" in payload
    try:
        via_proxy.send("PutLogEvents", body)
        raise AssertionError("the response should have been lost")
    except (ConnectionError, http.client.HTTPException):
        pass
    assert via_proxy.send("PutLogEvents", body)[0] == 200
    assert [c.fault for c in wire.calls_of("PutLogEvents")] == ["400 ThrottlingException", "lose_response", ""]
    assert len(logs.stored_events("app", "s")) == 2  # the lost response's batch was stored
