"""Turns the time arguments of pull and filter into epoch milliseconds."""
import re
import time
from datetime import datetime, timedelta, timezone

TIME_ZONES = ("LOCAL", "UTC")

_UNIT_MS = {"s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 604_800_000}
_RELATIVE = re.compile(r"(\d+)\s*([smhdw])")
_EPOCH_MS = re.compile(r"\d+")
_ISO = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?"
    r"\s*(Z|[+-]\d{2}(?::?\d{2})?)?",
    re.IGNORECASE,
)
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_ONE_MS = timedelta(milliseconds=1)

HELP = (
    "ISO 8601 (<code>2026-11-22T10:00:00Z</code>, <code>2026-11-22T15:30:00+05:30</code>, "
    "or without an offset, read in --time-zone), epoch milliseconds "
    "(<code>1795000000000</code>), or a time relative to now: <code>90s</code>, "
    "<code>30m</code>, <code>2h</code>, <code>1d</code>, <code>1w</code> (that long ago)"
)


def parse_time(text, time_zone="LOCAL", now=time.time):
    """Epoch milliseconds for ``text``; ValueError with a readable reason if it is not a time."""
    value = text.strip()
    if _EPOCH_MS.fullmatch(value):
        return int(value)
    relative = _RELATIVE.fullmatch(value)
    if relative:
        amount, unit = relative.groups()
        return int(now() * 1000) - int(amount) * _UNIT_MS[unit]
    iso = _ISO.fullmatch(value)
    if iso:
        return _iso_to_ms(iso, time_zone)
    raise ValueError(
        f"'{text}' is not a time: use ISO 8601 (2026-11-22T10:00:00Z), "
        "epoch milliseconds, or a relative time such as 30m, 2h, 1d"
    )


def _iso_to_ms(match, time_zone):
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    try:
        moment = datetime(
            int(year), int(month), int(day),
            int(hour or 0), int(minute or 0), int(second or 0),
            int((fraction or "0")[:6].ljust(6, "0")),
        )
    except ValueError as error:
        raise ValueError(f"'{match.string}' is not a valid date or time: {error}") from None
    if offset:
        moment = moment.replace(tzinfo=_offset_zone(offset))
    elif time_zone == "UTC":
        moment = moment.replace(tzinfo=timezone.utc)
    else:
        moment = moment.astimezone()  # a naive datetime is read as local time
    return (moment - _EPOCH) // _ONE_MS


def _offset_zone(offset):
    if offset.upper() == "Z":
        return timezone.utc
    sign = -1 if offset[0] == "-" else 1
    digits = offset[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if hours > 23 or minutes > 59:
        raise ValueError(f"'{offset}' is not a valid UTC offset")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))
