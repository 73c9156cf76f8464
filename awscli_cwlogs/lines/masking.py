"""Secrets and personal data masked in a message before it leaves the host.

A rule is a regular expression: its match, or its group named ``mask`` when it has one, becomes
the replacement text. The built-in detectors (detectors(), by name) add a cheap test that skips
the regex for most lines, and a check of the found text (a card number's Luhn digit, an IPv6
address that parses), so order numbers and clock times survive.
"""
import functools
import re
from dataclasses import dataclass
from typing import Callable, Optional


@dataclass(frozen=True)
class Rule:
    name: str
    search: Callable  # a compiled pattern's finditer
    group: object = 0  # the group masked: 0 (the match) or "mask"
    worth_trying: Optional[Callable[[str], bool]] = None  # False: the pattern cannot match this text
    valid: Optional[Callable[[str], bool]] = None  # False: a match that is not what the rule is after


def luhn_valid(digits):
    """Whether a string of digits ends in its Luhn check digit."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _card_number(text):
    digits = text.replace(" ", "").replace("-", "")
    return 13 <= len(digits) <= 19 and luhn_valid(digits)


def _ipv6(text):
    import ipaddress  # here: 2 ms at import, for the few sections that mask IPv6 addresses
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return False
    return True


_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")


def _may_hold_a_card(text):
    """Whether the text has the shape of a card number: 13 digits in a row, or groups of them.
    Bytes' translate and ``in`` cost a fifth of a regex that starts with a digit class."""
    try:
        shape = text.encode().translate(_DIGITS_AS_ZERO)
    except UnicodeEncodeError:  # a lone surrogate (bytes the decoder could not read)
        shape = text.encode("utf-8", "surrogatepass").translate(_DIGITS_AS_ZERO)
    return (b"0000000000000" in shape or b"0000 0000 0000" in shape or b"0000-0000-0000" in shape
            or b"0000 000000 00000" in shape or b"0000-000000-00000" in shape)


def _pattern(regex, flags=0):
    return re.compile(regex, flags).finditer


def _hinted(hint, full, back):
    """finditer of ``full``, tried only where a hit of ``hint`` (a pattern that begins with a
    literal, which re finds fast) says it may be: from the first of the characters ``back`` just
    before the hit. A pattern that begins with a class of characters (a digit) costs some 40 ns at
    every position of a line; ``full`` must not match after one of ``back`` (its lookbehind)."""
    hint_iter, full_match = re.compile(hint).finditer, re.compile(full).match
    chars = frozenset(back)

    def search(text):
        done = 0
        for found in hint_iter(text):
            start = found.start()
            if start < done:
                continue
            first = start
            while first > done and start - first < 40 and text[first - 1] in chars:
                first -= 1
            matched = full_match(text, first)
            if matched is not None and matched.end() > start:
                done = matched.end()
                yield matched
    return search


_KEY_ID_PREFIXES = "AKIA|ASIA|AIDA|AROA|AGPA|ANPA|ANVA|AIPA|ABIA|ACCA|APKA"
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
DETECTOR_NAMES = ("aws_access_key_id", "aws_secret_access_key", "bearer_token", "jwt", "email", "credit_card",
                  "ipv4", "ipv6")


@functools.lru_cache(maxsize=1)
def detectors():
    """name -> Rule of every built-in detector, compiled at the first call: every configuration
    load imports DETECTOR_NAMES, and most sections mask nothing."""
    return _detector_rules()


def _detector_rules():
    return {
        # an access key id on its own, not inside a longer word
        "aws_access_key_id": Rule("aws_access_key_id", _pattern(
            rf"(?<![A-Za-z0-9])(?:{_KEY_ID_PREFIXES})[A-Z0-9]{{16}}(?![A-Za-z0-9])"),
            worth_trying=lambda text: "A" in text),
        # a secret access key is 40 characters of base64 that nothing marks as such: found by its name
        "aws_secret_access_key": Rule("aws_secret_access_key", _pattern(
            r"(?:aws_?secret_?access_?key|secret_?access_?key|aws_?secret_?key)[\"']?\s*[:=]\s*[\"']?"
            r"(?P<mask>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])", re.IGNORECASE), group="mask",
            worth_trying=lambda text: "ecret" in text or "ECRET" in text),
        # a token: 8 or more of its characters, a digit or a sign among them (not "the bearer of news")
        "bearer_token": Rule("bearer_token", _pattern(
            r"\bbearer\s+(?P<mask>(?=[A-Za-z]*[0-9\-._~+/])[A-Za-z0-9\-._~+/]{8,}=*)", re.IGNORECASE), group="mask",
            worth_trying=lambda text: "earer" in text or "EARER" in text),
        "jwt": Rule("jwt", _pattern(r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"),
                    worth_trying=lambda text: "eyJ" in text),
        "email": Rule("email", _pattern(
            r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![A-Za-z0-9-])"),
            worth_trying=lambda text: "@" in text),
        # 13 to 19 digits in a row, or in groups of four (Amex: 4-6-5) split by spaces or dashes; the
        # first digit is a card network's (2 to 6), so epoch times (1...) are left alone
        "credit_card": Rule("credit_card", _pattern(
            r"(?<![\d.])(?:[2-6]\d{12,18}|[2-6]\d{3}([ -])\d{4}\1\d{4}\1\d{1,7}|3\d{3}([ -])\d{6}\2\d{5})(?![\d])"),
            worth_trying=_may_hold_a_card, valid=_card_number),
        "ipv4": Rule("ipv4", _hinted(r"\.\d{1,3}\.\d{1,3}\.\d", rf"(?<![\d.])(?:{_OCTET}\.){{3}}{_OCTET}(?!\d|\.\d)",
                                     "0123456789"), worth_trying=lambda text: "." in text),
        # not inside a word (std::vector) nor a clock time (10:00:00): only what parses as IPv6
        "ipv6": Rule("ipv6", _hinted(
            r":[0-9A-Fa-f]{0,4}:",
            r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|\d{1,3}(?:\.\d{1,3}){3})?(?![\w:])",
            "0123456789abcdefABCDEF:"), worth_trying=lambda text: ":" in text, valid=_ipv6),
    }


def pattern_rules(patterns):
    """Rules of a section's mask_patterns, named pattern_1, pattern_2, ... in their order."""
    rules = []
    for number, pattern in enumerate(patterns, 1):
        compiled = re.compile(pattern)
        rules.append(Rule(f"pattern_{number}", compiled.finditer, "mask" if "mask" in compiled.groupindex else 0))
    return rules


class Masker:
    """Applies rules to messages; ``counts``: values masked, by rule name (never the values)."""

    def __init__(self, rules, replacement="***"):
        self._rules = tuple(rules)
        self._replacement = replacement
        self.counts = {}
        self.total = 0  # every rule's together

    def mask(self, text):
        for rule in self._rules:
            if rule.worth_trying is None or rule.worth_trying(text):
                text = self._apply(rule, text)
        return text

    def _apply(self, rule, text):
        pieces, done, masked = [], 0, 0
        for found in rule.search(text):
            begin, end = found.span(rule.group)
            if begin < 0 or begin == end or (rule.valid is not None and not rule.valid(found.group(rule.group))):
                continue
            pieces += [text[done:begin], self._replacement]
            done, masked = end, masked + 1
        if not masked:
            return text
        self.counts[rule.name] = self.counts.get(rule.name, 0) + masked
        self.total += masked
        pieces.append(text[done:])
        return "".join(pieces)
