"""Masking (lines/masking.py): each detector's true positives and near misses, and custom patterns."""
import pytest

from awscli_cwlogs.lines.masking import DETECTOR_NAMES, Masker, detectors, luhn_valid, pattern_rules

CASES = {  # detector -> (lines it masks, as masked), (near misses it leaves as they are)
    "aws_access_key_id": (
        [("key AKIAIOSFODNN7EXAMPLE used", "key *** used"), ("ASIAY34FZKBOKMUTVV7A,", "***,"),
         ('{"id":"AKIAIOSFODNN7EXAMPLE"}', '{"id":"***"}')],
        ["xAKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLEZZ", "AKIAIOSFODNN7EXAMPL", "akiaiosfodnn7example",
         "BAKIAIOSFODNN7EXAMPLE9"]),
    "aws_secret_access_key": (
        [("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "aws_secret_access_key = ***"),
         ('"SecretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"', '"SecretAccessKey": "***"')],
        ["wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",  # 40 characters that nothing names a secret
         "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEYMORE"]),
    "bearer_token": (
        [("Authorization: Bearer abc.def-ghi_123==", "Authorization: Bearer ***"),
         ("authorization: bearer Zm9vYmFy", "authorization: bearer ***")],
        ["the bearer of bad news", "Bearer", "bearer certificates", "bearer 12345"]),
    "jwt": (
        [("token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.sig_nat-ure end", "token *** end")],
        ["eyJhbGciOiJIUzI1NiJ9 alone", "keyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.sig"]),
    "email": (
        [("mail bob.smith+x@example.co.uk now", "mail *** now"), ("<a@b.io>", "<***>")],
        ["user@localhost", "@handle", "a@b", "version 1.2@3"]),
    "credit_card": (
        [("card 4111 1111 1111 1111 ok", "card *** ok"), ("card 4111111111111111", "card ***"),
         ("amex 3782 822463 10005", "amex ***"), ("mc 5555-5555-5555-4444.", "mc ***.")],
        ["order 4111111111111112",  # 16 digits that fail the Luhn check: an order number
         "ts 1733500000123456789",  # an epoch time in nanoseconds (it starts with 1)
         "id 41111111111111111111111",  # longer than any card
         "4111 1111-1111 1111"]),  # mixed separators
    "ipv4": (
        [("from 10.0.0.1.", "from ***."), ("192.168.1.254:443", "***:443"), ("ip=8.8.8.8", "ip=***")],
        ["version 1.2.3.4.5", "999.1.1.1", "1.2.3", "v10.0.0.1.2"]),
    "ipv6": (
        [("v6 2001:db8::1 and ::1", "v6 *** and ***"), ("[fe80::1ff:fe23:4567:890a]:80", "[***]:80"),
         ("2001:0db8:85a3:0000:0000:8a2e:0370:7334", "***")],
        ["std::vector<int>", "at 10:00:00", "mac 00:1a:2b:3c:4d:5e", "a:b"]),
}


@pytest.mark.parametrize("name", CASES)
def test_each_detector_masks_what_it_is_for_and_nothing_near_it(name):
    hits, misses = CASES[name]
    masker = Masker([detectors()[name]])
    for line, masked in hits:
        assert masker.mask(line) == masked, line
    for line in misses:
        assert masker.mask(line) == line, line
    assert masker.counts == {name: len(hits) + (1 if name == "ipv6" else 0)}  # two addresses in one ipv6 line


def test_every_detector_has_cases():
    assert list(CASES) == list(DETECTOR_NAMES) == list(detectors())


def test_no_detector_touches_the_other_detectors_near_misses_or_ordinary_lines():
    masker = Masker(detectors().values())
    ordinary = ["GET /index.html 200 1234 0.003", "2026-12-06T10:00:00.123Z INFO started worker 7",
                "order 4111111111111112 shipped", "took 12:34:56", '{"level":"info","msg":"ok","n":123456789012}']
    for line in ordinary:
        assert masker.mask(line) == line
    assert masker.counts == {}


def test_luhn():
    assert luhn_valid("4111111111111111") and luhn_valid("378282246310005") and luhn_valid("0")
    assert not luhn_valid("4111111111111112") and not luhn_valid("378282246310006")


def test_custom_patterns_mask_the_match_or_its_mask_group_with_the_given_text():
    masker = Masker(pattern_rules([r"password=(?P<mask>\S+)", r"\bSSN \d{3}-\d{2}-\d{4}"]), replacement="[gone]")
    assert masker.mask("login password=hunter2 ok") == "login password=[gone] ok"
    assert masker.mask("SSN 123-45-6789 and SSN 987-65-4321") == "[gone] and [gone]"
    assert masker.counts == {"pattern_1": 1, "pattern_2": 2}


def test_an_empty_mask_group_masks_nothing():
    masker = Masker(pattern_rules([r"key=(?P<mask>\w*)"]))
    assert masker.mask("key= x") == "key= x"
    assert masker.counts == {}


def test_a_read_masked_at_once_is_each_line_masked_and_each_line_counts_its_own():
    """mask_lines joins a read's lines: no mask may reach over a line's end, and each line's
    count is its own, whatever the replacement text."""
    hits = [line for detector_hits, _ in CASES.values() for line, _ in detector_hits]
    misses = [line for _, detector_misses in CASES.values() for line in detector_misses]
    lines = hits + misses + ["Authorization: Bearer", "abc123def456 next", "a@", "b.co", "10.0.0", "1.2"] * 2
    patterns = [r"password=(?P<mask>\S+)", r"x\sy"]
    for replacement in ("***", "", "[\n]"):
        one = Masker(list(detectors().values()) + pattern_rules(patterns), replacement)
        expected = [one.mask(line) for line in lines + ["x", "y password=a b"]]
        at_once = Masker(list(detectors().values()) + pattern_rules(patterns), replacement)
        masked, counts = at_once.mask_lines(lines + ["x", "y password=a b"])
        assert masked == expected
        assert at_once.counts == one.counts and sum(counts) == at_once.total
        single = Masker(list(detectors().values()) + pattern_rules(patterns), replacement)
        assert counts == [single.mask_lines([line])[1][0] if single.mask_lines([line])[1] else 0
                          for line in lines + ["x", "y password=a b"]]


def test_lines_with_nothing_to_mask_come_back_as_they_are():
    masker = Masker([detectors()["email"], detectors()["ipv4"]])
    lines = ["nothing here", "nor here 1.2.3"]
    assert masker.mask_lines(lines) == (lines, None)
    assert masker.mask_lines(["a\nb@c.io", "x"]) == (["a\n***", "x"], [1, 0])  # a line of several lines
