"""JSON records and the shaping stage (lines/records.py, lines/shaping.py): time fields, field
masks and drops, masks that change a message's size across the limit, and what is counted."""
import calendar
import json

import pytest

from awscli_cwlogs.cloudwatch.batch import Batcher, BodyFormat
from awscli_cwlogs.lines.events import LineFormat
from awscli_cwlogs.lines.records import FieldEdits, RecordFormat, TimeField, parse_object
from awscli_cwlogs.lines.shaping import Shaper

BASE_MS = calendar.timegm((2026, 12, 6, 10, 0, 0)) * 1000


def shaped(record, events, lines=LineFormat(time_zone="UTC"), limit=1000, key="k"):
    shaper = Shaper(record, lines, limit)
    return shaper.shape(key, events), shaper.counts


@pytest.mark.parametrize("message, expected", [
    ('{"a":1}', {"a": 1}), ('  {"a":1}', {"a": 1}), ("[1,2]", None), ("42", None), ('{"a":', None),
    ("plain text", None), ("", None), ('"{\\"a\\":1}"', None),
])
def test_only_json_objects_are_records(message, expected):
    assert parse_object(message) == expected


@pytest.mark.parametrize("value, fmt, expected", [
    (1_733_500_000, None, 1_733_500_000_000), (1_733_500_000_123, None, 1_733_500_000_123),
    (1_733_500_000_123_456, None, 1_733_500_000_123), (1_733_500_000_123_456_789, None, 1_733_500_000_123),
    (1_733_500_000.5, None, 1_733_500_000_500), ("1733500000123", None, 1_733_500_000_123),
    ("2026-12-06T10:00:00Z", None, BASE_MS), ("2026-12-06T15:30:00.250+05:30", None, BASE_MS + 250),
    ("2026-12-06T10:00:00.123456789Z", None, BASE_MS + 123), ("2026-12-06T10:00:00", None, BASE_MS),
    (1_733_500_000, "epoch_ms", 1_733_500_000), ("06/Dec/2026:10:00:00 +0000", "%d/%b/%Y:%H:%M:%S %z", BASE_MS),
    ("2026-12-06T10:00:00Z", "iso8601", BASE_MS),
    (None, None, None), (True, None, None), ("soon", None, None), ({"t": 1}, None, None), ("", None, None),
])
def test_time_field_values(value, fmt, expected):
    assert TimeField(fmt, "UTC").epoch_ms(value) == expected


def test_mask_and_drop_fields_at_any_depth_and_by_path():
    record = {"user": {"password": "p", "name": "n", "token": {"a": 1}}, "password": "q", "debug": {"x": 1},
              "items": [{"password": "r"}], "meta": {"debug": 2, "keep": 3}}
    edits = FieldEdits(["password", "user.token"], ["debug", "meta.keep"])
    assert edits.apply(record)
    assert record == {"user": {"password": "***", "name": "n", "token": "***"}, "password": "***",
                      "items": [{"password": "***"}], "meta": {}}
    assert edits.counts == {"mask_fields": 4}
    assert not FieldEdits(["absent"], ["gone.too"]).apply({"a": 1})


def test_json_lines_take_their_time_from_the_field_and_those_without_take_the_previous_one():
    record = RecordFormat(log_format="json", timestamp_key="when.at")
    events = [(1, '{"when":{"at":"2026-12-06T10:00:00Z"},"m":1}', 10, 100), (2, "not json", 8, 200),
              (3, '{"m":2}', 7, 300), (4, '{"when":{"at":1733500000}}', 9, 400)]
    out, counts = shaped(record, events)
    assert [event[0] for event in out] == [BASE_MS, BASE_MS, BASE_MS, 1_733_500_000_000]
    assert [event[1:4] for event in out] == [event[1:] for event in events]  # messages kept as read
    assert [event[4] for event in out] == [None, (1, 0), None, None]  # (not JSON, masked): what reaches the state file
    assert counts == {"not_json": 1, "no_time": 1}


def test_masked_values_are_replaced_where_they_are_written_and_a_record_is_written_again_only_when_it_must():
    record = RecordFormat(log_format="json", mask_fields=("secret",))
    untouched = '{"a" : 1,  "b": "x"}'
    lines = [untouched, '{"secret": "s\\"q", "é": 1, "n": {"secret" : 42}}', '{"secret": {"deep": 1}, "x": 1}']
    out, counts = shaped(record, [(n, line, len(line), n) for n, line in enumerate(lines)])
    assert out[0][1] == untouched  # its spacing as written: not serialized again
    assert out[1][1:3] == ('{"secret": "***", "é": 1, "n": {"secret" : "***"}}',
                           len('{"secret": "***", "é": 1, "n": {"secret" : "***"}}'.encode()))
    assert out[2][1] == '{"secret":"***","x":1}'  # an object masked: the record is written again
    assert counts == {"mask_fields": 3}
    dropped, _ = shaped(RecordFormat(log_format="json", mask_fields=("secret",), drop_fields=("x",)),
                        [(1, lines[2], 30, 1)])
    assert dropped[0][1] == '{"secret":"***"}'


def test_a_masked_message_is_cut_to_the_limit_and_its_first_parts_keep_the_previous_position():
    record = RecordFormat(mask_patterns=(r"(?P<mask>s+)",), mask_text="LONGER-" * 10)
    shaper = Shaper(record, None, 100)
    first = shaper.shape("k", [(1, "a" * 50, 50, 50)])
    assert first == [(1, "a" * 50, 50, 50)]
    out = shaper.shape("k", [(2, "b" * 50 + "s" + "c" * 30, 81, 132)])
    assert [len(event[1]) for event in out] == [100, 50]
    assert [event[3] for event in out] == [50, 132]  # a crash after the first part reads the line again
    assert "".join(event[1] for event in out) == "b" * 50 + "LONGER-" * 10 + "c" * 30
    assert shaper.counts == {"pattern_1": 1}


def test_a_line_over_the_limit_that_masking_shortens_stays_one_event():
    record = RecordFormat(mask_detectors=("email",))
    line = "x" * 95 + " someone.with.a.long.address@example.com"
    out, counts = shaped(record, [(1, line, len(line), 500)], limit=100)
    assert out == [(1, "x" * 95 + " ***", 99, 500, (0, 1))]
    assert counts == {"email": 1}


def test_a_line_over_the_limit_with_nothing_to_mask_is_cut_as_the_reader_would():
    record = RecordFormat(mask_detectors=("email",))
    out, counts = shaped(record, [(1, "y" * 150, 150, 500)], limit=100, key="fresh")
    assert out == [(1, "y" * 100, 100, None), (1, "y" * 50, 50, 500)]  # no position known before it
    assert counts == {}


def test_masks_apply_to_json_lines_and_text_lines_alike_and_count_by_rule():
    record = RecordFormat(log_format="json", mask_detectors=("email", "ipv4"), mask_fields=("pw",))
    lines = [json.dumps({"msg": "from a@b.io at 10.0.0.1", "pw": "x"}), "text from c@d.io"]
    out, counts = shaped(record, [(1, line, len(line), n) for n, line in enumerate(lines)])
    assert [event[1] for event in out] == ['{"msg": "from *** at ***", "pw": "***"}', "text from ***"]
    assert counts == {"mask_fields": 1, "email": 2, "ipv4": 1, "not_json": 1}
    assert [event[4] for event in out] == [(0, 3), (1, 1)]


def test_the_counts_events_carry_reach_the_batch_they_are_sent_in():
    record = RecordFormat(log_format="json")
    lines = ["plain"] * 3 + ['{"a":1}'] * 3 + ["plain"] * 2
    out, _ = shaped(record, [(n, line, len(line), n) for n, line in enumerate(lines)])
    batcher = Batcher(5, 1_048_576, 1000, BodyFormat("g", "s", False))
    [first] = batcher.add(out, "k", None, marked=True)
    assert (first.count, first.noted) == (5, {"not_json": 3})  # the sixth event starts the next batch
    assert batcher.drain().noted == {"not_json": 2}
    assert Batcher(5, 1_048_576, 1000, BodyFormat("g", "s", False)).add(out[:6], "k", None)[0].noted == {}
