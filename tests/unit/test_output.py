import json

import pytest

from awscli_cwlogs.export.output import EventFormatter, iso_millis

EVENT = {"timestamp": 1_795_132_800_123, "ingestionTime": 1_795_132_801_000, "message": "hello {x}"}


def test_iso_millis_is_fixed_width_utc():
    assert iso_millis(1_795_132_800_123) == "2026-11-20T00:00:00.123Z"
    assert iso_millis(1_795_132_800_000) == "2026-11-20T00:00:00.000Z"
    assert iso_millis(5) == "1970-01-01T00:00:00.005Z"
    assert {len(iso_millis(ms)) for ms in (0, 999, 10**12, 4 * 10**12)} == {24}


def test_default_template():
    assert EventFormatter("{timestamp} {message}").format(EVENT) == "2026-11-20T00:00:00.123Z hello {x}\n"


def test_every_field_and_literal_braces():
    formatter = EventFormatter("{{{logStreamName}}} {eventId}|{ingestionTime}|{message}", "web-1")
    assert formatter.format(dict(EVENT, eventId="42")) == "{web-1} 42|2026-11-20T00:00:01.000Z|hello {x}\n"


def test_missing_event_id_renders_empty():
    assert EventFormatter("[{eventId}] {message}").format(EVENT) == "[] hello {x}\n"


def test_json_lines_keep_api_values():
    line = EventFormatter("json", "web-1").format(EVENT)
    assert line.endswith("\n") and line.count("\n") == 1
    assert json.loads(line) == dict(EVENT, logStreamName="web-1")


def test_json_escapes_newlines_in_messages():
    line = EventFormatter("json").format(dict(EVENT, message="a\nb"))
    assert line.count("\n") == 1 and json.loads(line)["message"] == "a\nb"


@pytest.mark.parametrize("template, reason", [
    ("{nope} {message}", "unknown field {nope}"),
    ("{message", "broken braces"),
    ("message}", "broken braces"),
    ("{message.upper}", "unknown field"),
    ("{0}", "unknown field"),
    ("{}", "unknown field"),
    ("{timestamp:d}", "cannot render"),
])
def test_bad_templates_are_rejected_with_a_reason(template, reason):
    with pytest.raises(ValueError) as error:
        EventFormatter(template)
    assert reason in str(error.value)
