"""Charts in the terminal, drawn by plotext (imported when a chart is drawn): a Logs Insights
answer whose rows have a bin() time column and numeric columns (``query --chart``: one series
per ``by`` group, or per numeric column; the largest MAX_SERIES - 1, then "other"), and the
count of events per time bucket (``filter --histogram``)."""
import os
import time

from awscli_cwlogs.cli import UsageError
from awscli_cwlogs.export.rows import columns
from awscli_cwlogs.timefmt import service_seconds

MAX_SERIES = 5
MARKERS = ("•", "+", "x", "*", "o")  # a series each: told apart without colours
BUCKETS_S = (1, 5, 10, 30, 60, 300, 600, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86_400, 7 * 86_400)


def query_series(rows):
    """(the bin() column's times, epoch seconds, {series: [value at each time]}); UsageError
    naming what the rows lack for a chart."""
    names = columns(rows)
    when = next((name for name in names if name.replace(" ", "").startswith("bin(")), None)
    if when is None:
        raise UsageError("--chart needs a time column: a query that ends in stats ... by bin(5m); these rows have "
                         f"{', '.join(names) or 'no fields'}")
    records = [dict(row) for row in rows]
    numbers = [name for name in names if name != when and all(_number(record.get(name)) is not None
                                                               for record in records)]
    if not numbers:
        raise UsageError(f"--chart needs a numeric column beside {when}: stats count(*) by bin(5m), for one")
    groups = [name for name in names if name not in numbers and name != when]
    times = sorted({record[when] for record in records})
    series = {}
    for record in records:
        group = " ".join(record.get(name, "") for name in groups)
        for number in numbers:
            name = " / ".join(part for part in (group, number if len(numbers) > 1 or not groups else "") if part)
            values = series.setdefault(name, {})
            values[record[when]] = values.get(record[when], 0) + _number(record[number])
    seconds = list(map(service_seconds, times))
    if None in seconds:
        raise UsageError(f"--chart: {when} holds {times[seconds.index(None)]!r}, which is not a time")
    return seconds, _fewest(times, series)


def _fewest(times, series):
    """The MAX_SERIES - 1 largest series (by their sum) and "other" for the rest; all if they are few."""
    ranked = sorted(series, key=lambda name: -sum(series[name].values()))
    kept = ranked if len(ranked) <= MAX_SERIES else ranked[:MAX_SERIES - 1]
    out = {name: [series[name].get(when, 0) for when in times] for name in kept}
    rest = ranked[len(kept):]
    if rest:
        out["other"] = [sum(series[name].get(when, 0) for name in rest) for when in times]
    return out


def _number(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def histogram(timestamps_ms, start_ms, end_ms, width):
    """(label of each bucket's start, events in each, the bucket's seconds): about one bucket per two
    columns of ``width``, of a round size, over [start, end) or the events' own span."""
    if not timestamps_ms:
        return [], [], 0
    low = start_ms if start_ms is not None else min(timestamps_ms)
    high = end_ms if end_ms is not None else max(timestamps_ms) + 1
    wanted = max((high - low) / 1000 / max((width - 12) // 2, 1), 1)
    size = next((seconds for seconds in BUCKETS_S if seconds >= wanted), BUCKETS_S[-1])
    first = low // 1000 // size * size
    counts = [0] * (((high - 1) // 1000 - first) // size + 1)  # ``high`` excluded: no bucket after the window
    for timestamp in timestamps_ms:
        counts[(timestamp // 1000 - first) // size] += 1
    return [first + index * size for index in range(len(counts))], counts, size


def draw(labels, series, width, height, title, colour=None):
    """The chart as text: bars for one series, lines (a marker each) for several; ``labels``: the
    x values' texts, some shown under the axis. In colour unless NO_COLOR is set (no-color.org)."""
    colour = not os.environ.get("NO_COLOR") if colour is None else colour
    import plotext as plt  # here: 60 ms at import, for the runs that draw a chart
    plt.clear_figure()
    plt.plotsize(width, height)
    if not colour:
        plt.theme("clear")
    positions = list(range(1, len(labels) + 1))
    if len(series) == 1:
        [(name, values)] = series.items()
        plt.bar(positions, values, marker="█" if not colour else "sd", label=name)
    else:
        for (name, values), marker in zip(series.items(), MARKERS):
            plt.plot(positions, values, marker=marker, label=name)
    shown = max(len(labels) // max((width - 8) // 14, 1), 1)
    plt.xticks(positions[::shown], labels[::shown])
    plt.title(title)
    text = plt.build() if colour else plt.uncolorize(plt.build())
    return "\n".join(line.rstrip() for line in text.splitlines()) + "\n"


def time_labels(epoch_seconds, utc):
    """Short texts of times: the time of day, with the date where the day changes (or at the first)."""
    labels, day = [], None
    for second in epoch_seconds:
        moment = time.gmtime(second) if utc else time.localtime(second)
        today = time.strftime("%m-%d", moment)
        clock = time.strftime("%H:%M:%S" if second % 60 else "%H:%M", moment)
        labels.append(clock if today == day else f"{today} {clock}")
        day = today
    return labels


def size_text(seconds):
    """A bucket's size: "30s", "5m", "3h", "1d"."""
    for unit, length in (("d", 86_400), ("h", 3600), ("m", 60)):
        if seconds >= length and seconds % length == 0:
            return f"{seconds // length}{unit}"
    return f"{seconds}s"
