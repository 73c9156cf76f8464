"""config/values.py: each key's validator, as the config file and the stdin options use them."""
import pytest

from awscli_cwlogs.config import values as parse


@pytest.mark.parametrize("check, text, expected", [
    (parse.positive(1, 10), "10", 10),
    (parse.boolean, "Yes", True),
    (parse.boolean, "off", False),
    (parse.choice("a", "b"), "b", "b"),
    (parse.fingerprint_lines, "2", (2, 2)),
    (parse.fingerprint_lines, "1-3", (1, 3)),
    (parse.retention, "731", 731),
    (parse.priority, "warn", "4"),
    (parse.priority, "7", "7"),
    (parse.words, "a.service, b.service  c", ("a.service", "b.service", "c")),
    (parse.matches, "_TRANSPORT=kernel + _PID=1", ("_TRANSPORT=kernel", "+", "_PID=1")),
    (parse.patterns, "'''\n ^ERROR\n\n WARN$ \n'''".strip("'"), ("^ERROR", "WARN$")),
    (parse.regex, "{datetime_format}", "{datetime_format}"),
    (parse.tags, "team = pay, env=prod", (("team", "pay"), ("env", "prod"))),
    (parse.container_streams, "stderr", ("stderr",)),
    (parse.prices, "standard=0.5, infrequent_access = 0.25", (("infrequent_access", 0.25), ("standard", 0.5))),
    (parse.role_arn, "arn:aws:iam::123456789012:role/shipper", "arn:aws:iam::123456789012:role/shipper"),
    (parse.kms_key, "arn:aws:kms:us-east-1:123456789012:key/abc-1", "arn:aws:kms:us-east-1:123456789012:key/abc-1"),
])
def test_good_values(check, text, expected):
    assert check(text) == expected


@pytest.mark.parametrize("check, text, reason", [
    (parse.text, "", "is empty"),
    (parse.positive(1, 10), "11", "11 is outside 1..10"),
    (parse.boolean, "maybe", "'maybe' is not true or false"),
    (parse.choice("a", "b"), "c", "'c' is not one of a, b"),
    (parse.time_zone, "CET", "'CET' is not LOCAL or UTC"),
    (parse.encoding, "klingon", "'klingon' is not an encoding Python knows"),
    (parse.regex, "(", "'(' is not a valid regular expression"),
    (parse.fingerprint_lines, "3-1", "'3-1' is not N or N-M with 1 <= N <= M"),
    (parse.fingerprint_lines, "0", "with 1 <= N <= M"),
    (parse.retention, "2", "2 is not a retention AWS allows (1, 3, 5"),
    (parse.priority, "8", "'8' is not a priority"),
    (parse.matches, "unit=x", "'unit=x' is not FIELD=value"),
    (parse.tags, "team", "'team' is not key=value"),
    (parse.tags, "aws:x=1", "keys starting with aws: are AWS's own"),
    (parse.tags, "a=1, a=2", "give 1-50 tags, each key once"),
    (parse.container_streams, "stdin", "'stdin' is not stdout, stderr or both"),
    (parse.prices, "standard=free", "'free' is not a price"),
    (parse.prices, "premium=1", "'premium=1' is not standard=PRICE, infrequent_access=PRICE or delivery=PRICE"),
    (parse.log_group, "a b", "is not a log group name"),
    (parse.datetime_format, "%Q", "%Q"),
])
def test_bad_values_say_why(check, text, reason):
    with pytest.raises(ValueError) as error:
        check(text)
    assert reason in str(error.value)


def test_a_secret_like_value_is_not_echoed():
    with pytest.raises(ValueError) as error:
        parse.external_id("x")
    assert str(error.value).startswith("is not 2-1224") and "'x'" not in str(error.value)


def test_fifty_tags_pass_and_fifty_one_do_not():
    assert len(parse.tags(", ".join(f"k{i}=v" for i in range(50)))) == 50
    with pytest.raises(ValueError):
        parse.tags(", ".join(f"k{i}=v" for i in range(51)))
