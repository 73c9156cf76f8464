"""Time as the agent and the readers print it: ISO 8601 UTC with milliseconds."""
import calendar
import time

MILLIS_SUFFIXES = tuple(f".{millis:03d}Z" for millis in range(1000))


class _SecondPrefixes(dict):
    """epoch second -> ``2026-11-22T04:36:59``, made on first use (a page's events share seconds)."""

    def __missing__(self, seconds):
        if len(self) > 4096:
            self.clear()
        prefix = self[seconds] = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
        return prefix


SECOND_PREFIXES = _SecondPrefixes()


def service_seconds(text):
    """Epoch second of a time as Logs Insights writes it ("2026-12-07 10:05:00.000", UTC), or of
    epoch milliseconds (the local endpoint's); None for other text."""
    if text.isdigit():
        return int(text) // 1000
    try:
        return calendar.timegm(time.strptime(text[:19], "%Y-%m-%d %H:%M:%S"))
    except ValueError:
        return None


def iso_millis(epoch_ms):
    """``2026-11-22T04:36:59.123Z``: ISO 8601 UTC, always 24 characters for years 1000-9999."""
    return SECOND_PREFIXES[epoch_ms // 1000] + MILLIS_SUFFIXES[epoch_ms % 1000]
