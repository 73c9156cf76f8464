"""The config file's value parsers: text -> value, or ValueError with the reason (config.py
adds the file, section and key)."""
import codecs
import re

from awscli_cwlogs.config.names import check_name
from awscli_cwlogs.health.host import KINDS as HOST_METRICS
from awscli_cwlogs.health.host import psutil_missing
from awscli_cwlogs.limits import RETENTION_DAYS
from awscli_cwlogs.lines.events import DATETIME_FORMAT_PATTERN
from awscli_cwlogs.lines.instants import NAMED_FORMATS, timestamp_format
from awscli_cwlogs.lines.masking import DETECTOR_NAMES


def text(value):
    if not value:
        raise ValueError("is empty")
    return value


def positive(low, high):
    def parse(value):
        number = int(value)
        if not low <= number <= high:
            raise ValueError(f"{number} is outside {low}..{high}")
        return number
    return parse


def boolean(value):
    lowered = value.lower()
    if lowered in ("true", "yes", "on", "1"):
        return True
    if lowered in ("false", "no", "off", "0"):
        return False
    raise ValueError(f"'{value}' is not true or false")


def choice(*choices):
    def parse(value):
        if value.lower() not in choices:
            raise ValueError(f"'{value}' is not one of {', '.join(choices)}")
        return value.lower()
    return parse


def time_zone(value):
    if value.upper() not in ("LOCAL", "UTC"):
        raise ValueError(f"'{value}' is not LOCAL or UTC")
    return value.upper()


def encoding(value):
    try:
        codecs.lookup(value)
    except LookupError:
        raise ValueError(f"'{value}' is not an encoding Python knows") from None
    return value


def datetime_format(value):
    """A strptime-style format, or one of NAMED_FORMATS (iso8601, epoch, epoch_ms, ...)."""
    if value.lower() in NAMED_FORMATS:
        return value.lower()
    timestamp_format(value)  # raises ValueError naming the unsupported directive
    return value


def detectors(value):
    """Names of masking.py's detectors, comma- or space-separated."""
    names = tuple(name.lower() for name in words(value))
    for name in names:
        if name not in DETECTOR_NAMES:
            raise ValueError(f"unknown detector '{name}'; known: {', '.join(DETECTOR_NAMES)}")
    return names


def regex(value):
    if value == DATETIME_FORMAT_PATTERN:
        return value
    try:
        re.compile(value)
    except re.error as error:
        raise ValueError(f"'{value}' is not a valid regular expression: {error}") from None
    return value


def patterns(value):
    """One regular expression, or several in a triple-quoted value, one per line."""
    patterns = tuple(line.strip() for line in value.splitlines() if line.strip())
    if not patterns:
        raise ValueError("is empty")
    for pattern in patterns:
        regex(pattern)
    return patterns


def fingerprint_lines(value):
    found = re.fullmatch(r"(\d+)(?:-(\d+))?", value)
    if not found:
        raise ValueError(f"'{value}' is not N or N-M (line numbers from 1)")
    first = int(found.group(1))
    last = int(found.group(2) or first)
    if first < 1 or last < first:
        raise ValueError(f"'{value}' is not N or N-M with 1 <= N <= M")
    return (first, last)


def retention(value):
    days = int(value)
    if days not in RETENTION_DAYS:
        raise ValueError(f"{days} is not a retention AWS allows ({', '.join(map(str, RETENTION_DAYS))})")
    return days


PRIORITIES = ("emerg", "alert", "crit", "err", "warning", "notice", "info", "debug")
_PRIORITY_ALIASES = {"error": "err", "warn": "warning", "critical": "crit", "emergency": "emerg"}


def priority(value):
    """A level by name (emerg ... debug) or number 0-7, as a number journalctl -p takes."""
    lowered = _PRIORITY_ALIASES.get(value.lower(), value.lower())
    if lowered in PRIORITIES:
        return str(PRIORITIES.index(lowered))
    if lowered.isdigit() and int(lowered) < len(PRIORITIES):
        return lowered
    raise ValueError(f"'{value}' is not a priority ({', '.join(PRIORITIES)}, or 0-7)")


def words(value):
    """Comma- or space-separated items (units, paths, kinds), at least one."""
    words = tuple(word for word in re.split(r"[\s,]+", value) if word)
    if not words:
        raise ValueError("is empty")
    return words


def matches(value):
    """FIELD=value terms separated by spaces, and + between groups, as journalctl takes them."""
    terms = tuple(value.split())
    for term in terms:
        if term != "+" and not re.fullmatch(r"[A-Z0-9_]+=.*", term):
            raise ValueError(f"'{term}' is not FIELD=value (a journal field name: A-Z 0-9 _) or +")
    if not terms:
        raise ValueError("is empty")
    return terms


_TAG_TEXT = re.compile(r"[\w\s.:/=+\-@]*")  # AWS's tag characters: letters, digits, spaces, _ . : / = + - @


def _pairs(value):
    """(item, key, has "=", value) of each ``key=value`` in a comma-separated list, stripped."""
    for item in filter(None, (item.strip() for item in value.split(","))):
        key, equals, item_value = (part.strip() for part in item.partition("="))
        yield item, key, bool(equals), item_value


def tags(value):
    """key=value, ... as AWS accepts tags: keys 1-128 characters not starting with aws:, values
    up to 256, at most 50."""
    tags = []
    for item, key, equals, tag_value in _pairs(value):
        if not equals or not key:
            raise ValueError(f"'{item}' is not key=value")
        if len(key) > 128 or len(tag_value) > 256 or not _TAG_TEXT.fullmatch(key) or not _TAG_TEXT.fullmatch(tag_value):
            raise ValueError(f"'{item}': keys are 1-128 and values 0-256 of letters, digits, spaces and _ . : / = + - @")
        if key.lower().startswith("aws:"):
            raise ValueError(f"'{key}': keys starting with aws: are AWS's own")
        tags.append((key, tag_value))
    if not tags or len(tags) > 50 or len({key for key, _ in tags}) != len(tags):
        raise ValueError("give 1-50 tags, each key once")
    return tuple(tags)


def matching(pattern, what, echo=True):
    """A value the whole of which matches ``pattern``; ``echo=False`` keeps it out of the message."""
    def parse(value):
        if not re.fullmatch(pattern, value):
            raise ValueError(f"'{value}' is not {what}" if echo else f"is not {what}")
        return value
    return parse


kms_key = matching(r"arn:aws[\w-]*:kms:[\w-]+:\d{12}:key/[\w-]+", "a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID)")


def log_group(value):
    return check_name("log_group_name", value)


def host_metrics(value):
    kinds = words(value)
    wrong = [kind for kind in kinds if kind not in HOST_METRICS]
    if wrong:
        raise ValueError(f"'{wrong[0]}' is not one of {', '.join(HOST_METRICS)}")
    missing = psutil_missing()
    if missing:
        raise ValueError(missing)
    return kinds


def container_streams(value):
    streams = tuple(stream for stream in re.split(r"[\s,]+", value) if stream)
    if not streams or any(stream not in ("stdout", "stderr") for stream in streams):
        raise ValueError(f"'{value}' is not stdout, stderr or both")
    return streams


role_arn = matching(r"arn:aws[\w-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}",
                    "an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)")
external_id = matching(r"[\w+=,.@:/-]{2,1224}", "2-1224 of letters, digits and _ + = , . @ : / -", echo=False)
role_session_name = matching(r"[\w+=,.@-]{2,64}", "2-64 of letters, digits and _ + = , . @ -")


def prices(value):
    """standard=0.50, infrequent_access=0.25, delivery=0.25: US dollars per GB ingested, per log group class."""
    found = {}
    for item, name, equals, price in _pairs(value):
        if name not in ("standard", "infrequent_access", "delivery") or not equals:
            raise ValueError(f"'{item}' is not standard=PRICE, infrequent_access=PRICE or delivery=PRICE")
        try:
            found[name] = float(price)
        except ValueError:
            raise ValueError(f"'{price}' is not a price (dollars per GB, such as 0.50)") from None
        if not 0 <= found[name] < 1000:
            raise ValueError(f"'{price}' is not a price (dollars per GB, such as 0.50)")
    if not found:
        raise ValueError("is empty")
    return tuple(sorted(found.items()))
