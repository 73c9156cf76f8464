"""The wire check's rules, on hand-made batches."""
import pytest

from tests.harness.awsrules import put_log_events_violations as violations


def batch(*events):
    return {"logGroupName": "g", "logStreamName": "s",
            "logEvents": [{"timestamp": ts, "message": m} for ts, m in events]}


def test_a_valid_batch_passes():
    assert violations(batch((1, "a"), (1, "b"), (2, "c"))) == []


def test_limits_at_their_edges_pass():
    assert violations(batch(*[(1, "x")] * 10_000)) == []
    assert violations(batch((1, "x" * (1_048_576 - 26)))) == []
    assert violations(batch((0, "a"), (24 * 3600 * 1000, "b"))) == []


@pytest.mark.parametrize("request_body, reason", [
    (batch(*[(1, "x")] * 10_001), "10001 events"),
    (batch((1, "x" * 600_000), (1, "y" * 600_000)), "bytes counted with 26 per event"),
    (batch((1, "é" * 524_276)), "bytes with overhead"),  # 1,048,552 UTF-8 bytes + 26
    (batch((1, "a"), (2, "")), "empty message"),
    (batch((2, "a"), (1, "b")), "before the previous"),
    (batch((0, "a"), (24 * 3600 * 1000 + 1, "b")), "spans"),
    ({"logGroupName": "g", "logStreamName": "s", "logEvents": []}, "missing or empty"),
    (batch((1.5, "a")), "integer timestamp"),
])
def test_each_rule_catches_its_violation(request_body, reason):
    found = violations(request_body)
    assert any(reason in problem for problem in found), found


def test_batch_bytes_count_26_per_event():
    # 10,000 x 78 bytes: 1,040,000 with overhead, fits. 10,000 x 79 bytes: 790,000 of text,
    # but 1,050,000 with 26 per event, so AWS rejects it.
    assert violations(batch(*[(1, "x" * 78)] * 10_000)) == []
    assert any("bytes counted" in p for p in violations(batch(*[(1, "x" * 79)] * 10_000)))


def test_rejected_events_are_answered_with_awss_indexes_an_end_for_too_old_and_a_start_for_too_new():
    from tests.harness.awsrules import rejected_log_events_info
    now, day, hour = 10**13, 86_400_000, 3_600_000
    events = [{"timestamp": t} for t in (now - 15 * day, now - 14 * day - 1, now - day, now, now + 2 * hour,
                                         now + 2 * hour + 1, now + 3 * hour)]
    assert rejected_log_events_info(events, now) == {"tooOldLogEventEndIndex": 2, "tooNewLogEventStartIndex": 5}
    assert rejected_log_events_info(events[2:5], now) == {}
