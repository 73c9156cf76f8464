"""Secrets and personal data masked in a message before it leaves the host.

A rule is a regular expression: its match, or its group named ``mask`` when it has one, becomes
the replacement text. The built-in detectors (detectors(), by name) add a cheap test that skips
the pattern for text that cannot hold a match, and a check of the found text (a card number's
Luhn digit, an IPv6 address that parses), so order numbers and clock times survive.

Masks are applied to a whole read at once (mask_lines: its lines joined, each rule one pass in
C over the text), which costs a fraction of a pass per line: a pattern that begins with a class
of characters (a digit) costs some 40 ns at every position, so the built-in patterns begin with
a literal (the dots of an IPv4 address, an e-mail's @) and take back the characters just before
it that belong to the value (``trims``).
"""
import functools
import re
from dataclasses import dataclass
from itertools import repeat
from typing import Callable, Optional

MARK = "\x00"  # where a value was masked, while a read is masked: no line holds it (lines without it only)


@dataclass(frozen=True)
class Rule:
    name: str
    pattern: re.Pattern
    group: object = 0  # the group masked: 0 (the match) or "mask"
    worth_trying: Optional[Callable[[str], bool]] = None  # False: the pattern cannot match this text
    valid: Optional[Callable[[str], bool]] = None  # False: a match that is not what the rule is after
    trims: str = ""  # characters of the value just before where the pattern starts (the text before a match ends with them)
    search: Optional[Callable] = None  # finditer of the matches, where the pattern alone would be slow
    per_line: bool = False  # the pattern may match across lines: applied to each line of a read
    keyed: bool = False  # the pattern's group 1 (a JSON key and its colon) is kept, the rest becomes a string


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


_CARD_SHAPE = bytes.maketrans(b"123456789 -", b"000000000--")


def _may_hold_a_card(text):
    """Whether the text has the shape of a card number: 13 digits in a row, or groups of them.
    Bytes' translate and ``in`` cost a fifth of a pattern that starts with a digit class."""
    try:
        shape = text.encode().translate(_CARD_SHAPE)
    except UnicodeEncodeError:  # a lone surrogate (bytes the decoder could not read)
        shape = text.encode("utf-8", "surrogatepass").translate(_CARD_SHAPE)
    return b"0000000000000" in shape or b"0000-0000-0000" in shape or b"0000-000000-00000" in shape


def _hinted(hint, full, back):
    """finditer of ``full``, tried only where a hit of ``hint`` (a pattern that begins with a
    literal, which re finds fast) says it may be: from the first of the characters ``back`` just
    before the hit; ``full`` must not match after one of ``back`` (its lookbehind)."""
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
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_OCTET3 = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9])"
_DIGITS = "0123456789"
_EMAIL_LOCAL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._%+-"
DETECTOR_NAMES = ("aws_access_key_id", "aws_secret_access_key", "bearer_token", "jwt", "email", "credit_card",
                  "ipv4", "ipv6")


@functools.lru_cache(maxsize=1)
def detectors():
    """name -> Rule of every built-in detector, compiled at the first call: every configuration
    load imports DETECTOR_NAMES, and most sections mask nothing."""
    return {rule.name: rule for rule in _detector_rules()}


def _detector_rules():
    """No built-in pattern matches a newline: a read's lines are masked joined by newlines."""
    return [
        # an access key id on its own, not inside a longer word
        Rule("aws_access_key_id", re.compile(
            rf"(?<![A-Za-z0-9])(?:{_KEY_ID_PREFIXES})[A-Z0-9]{{16}}(?![A-Za-z0-9])"), worth_trying=lambda text: "A" in text),
        # a secret access key is 40 characters of base64 that nothing marks as such: found by its name
        Rule("aws_secret_access_key", re.compile(
            r"(?:aws_?secret_?access_?key|secret_?access_?key|aws_?secret_?key)[\"']?[ \t]*[:=][ \t]*[\"']?"
            r"(?P<mask>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])", re.IGNORECASE), group="mask",
            worth_trying=lambda text: "ecret" in text or "ECRET" in text),
        # a token: 8 or more of its characters, a digit or a sign among them (not "the bearer of news")
        Rule("bearer_token", re.compile(
            r"\bbearer[ \t]+(?P<mask>(?=[A-Za-z]*[0-9\-._~+/])[A-Za-z0-9\-._~+/]{8,}=*)", re.IGNORECASE), group="mask",
            worth_trying=lambda text: "earer" in text or "EARER" in text),
        Rule("jwt", re.compile(r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"),
             worth_trying=lambda text: "eyJ" in text),
        # from the @, and the whole run of a local part's characters before it
        Rule("email", re.compile(
            r"@(?<=[A-Za-z0-9._%+-]@)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![A-Za-z0-9-])"),
            trims=_EMAIL_LOCAL, worth_trying=lambda text: "@" in text),
        # 13 to 19 digits in a row, or in groups of four (Amex: 4-6-5) split by spaces or dashes; the
        # first digit is a card network's (2 to 6), so epoch times (1...) are left alone
        Rule("credit_card", re.compile(
            r"(?<![\d.])(?:[2-6]\d{12,18}|[2-6]\d{3}([ -])\d{4}\1\d{4}\1\d{1,7}|3\d{3}([ -])\d{6}\2\d{5})(?![\d])"),
            worth_trying=_may_hold_a_card, valid=_card_number),
        # from the first dot; the first number, before it, is taken back (a lookbehind checks it)
        Rule("ipv4", re.compile(
            rf"\.(?:(?<=[^0-9.][0-9]\.)|(?<=[^0-9.][1-9][0-9]\.)|(?<=[^0-9.]{_OCTET3}\.)|(?<=^[0-9]\.)"
            rf"|(?<=^[1-9][0-9]\.)|(?<=^{_OCTET3}\.)){_OCTET}\.{_OCTET}\.{_OCTET}(?![0-9]|\.[0-9])"),
            trims=_DIGITS, worth_trying=lambda text: "." in text),
        # not inside a word (std::vector) nor a clock time (10:00:00): only what parses as IPv6
        Rule("ipv6", None, search=_hinted(
            r":[0-9A-Fa-f]{0,4}:",
            r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|\d{1,3}(?:\.\d{1,3}){3})?(?![\w:])",
            "0123456789abcdefABCDEF:"), worth_trying=lambda text: ":" in text, valid=_ipv6),
    ]


def pattern_rules(patterns):
    """Rules of a section's mask_patterns, named pattern_1, pattern_2, ... in their order."""
    rules = []
    for number, pattern in enumerate(patterns, 1):
        compiled = re.compile(pattern)
        rules.append(Rule(f"pattern_{number}", compiled, "mask" if "mask" in compiled.groupindex else 0,
                          per_line=True))
    return rules


class Masker:
    """Applies rules to messages; ``counts``: values masked, by rule name (never the values)."""

    def __init__(self, rules, replacement="***", counts=None):
        self._rules = tuple(rules)
        self._joined = tuple(rule for rule in self._rules if not rule.per_line)
        self._per_line = tuple(rule for rule in self._rules if rule.per_line)
        self._replacement = replacement
        self.counts = {} if counts is None else counts
        self.total = 0  # every rule's together

    def mask(self, text):
        for rule in self._rules:
            text = self._apply(rule, text, self._replacement)
        return text

    def mask_lines(self, lines):
        """(the lines masked, how many values each had masked), or (``lines``, None) when
        nothing was. The built-in rules take the lines joined, in one pass each."""
        before = self.total
        joined = "\n".join(lines)
        if MARK in joined or joined.count("\n") != len(lines) - 1:  # a line of several: each on its own
            masked = []
            counts = []
            for line in lines:
                total = self.total
                masked.append(self.mask(line))
                counts.append(self.total - total)
            return (masked, counts) if self.total != before else (lines, None)
        text = joined
        for rule in self._joined:
            text = self._apply(rule, text, MARK)
        if not self._per_line:
            if self.total == before:
                return lines, None
            marked = text.split("\n")
            counts = list(map(str.count, marked, repeat(MARK)))
            if "\n" in self._replacement:
                return list(map(str.replace, marked, repeat(MARK), repeat(self._replacement))), counts
            return text.replace(MARK, self._replacement).split("\n"), counts
        marked = [self.mask_per_line(line) for line in text.split("\n")]
        if self.total == before:
            return lines, None
        return list(map(str.replace, marked, repeat(MARK), repeat(self._replacement))), \
            list(map(str.count, marked, repeat(MARK)))

    def mask_per_line(self, line):
        for rule in self._per_line:
            line = self._apply(rule, line, MARK)
        return line

    def _apply(self, rule, text, mark):
        if rule.worth_trying is not None and not rule.worth_trying(text):
            return text
        if rule.trims:
            parts = rule.pattern.split(text)
            masked = len(parts) - 1
            if masked:
                last = parts.pop()
                parts = list(map(str.rstrip, parts, repeat(rule.trims)))
                parts.append(last)
                text = mark.join(parts)
        elif rule.keyed:
            parts = rule.pattern.split(text)
            masked = len(parts) // 2
            if masked:
                parts[1::2] = map(str.__add__, parts[1::2], repeat(f'"{mark}"', masked))
                text = "".join(parts)
        elif rule.search is None and rule.valid is None and rule.group == 0:
            text, masked = rule.pattern.subn(mark.replace("\\", "\\\\"), text)
        else:
            text, masked = self._each(rule, text, mark)
        if masked:
            self.counts[rule.name] = self.counts.get(rule.name, 0) + masked
            self.total += masked
        return text

    @staticmethod
    def _each(rule, text, mark):
        pieces, done, masked = [], 0, 0
        for found in (rule.search or rule.pattern.finditer)(text):
            begin, end = found.span(rule.group)
            if begin < 0 or begin == end or (rule.valid is not None and not rule.valid(found.group(rule.group))):
                continue
            pieces += [text[done:begin], mark]
            done, masked = end, masked + 1
        if not masked:
            return text, 0
        pieces.append(text[done:])
        return "".join(pieces), masked
