"""Logs Insights rows, each a list of (field, value), as text: an aligned table (for a person), JSON
lines, CSV, or tab-separated text (for a program). @ptr (the service's pointer to each event) is
left out unless asked for."""
import csv
import io
import json

FORMATS = ("table", "json", "csv", "text")
MAX_CELL = 200  # characters of a table cell before it is cut with "..."


def columns(rows, show_ptr=False):
    """The fields of all rows, in the order they first appear; @ptr last, if shown."""
    seen = {}
    for row in rows:
        for name, _ in row:
            seen.setdefault(name, None)
    pointer = seen.pop("@ptr", False) is not False
    return list(seen) + (["@ptr"] if pointer and show_ptr else [])


def render(rows, form, show_ptr=False):
    names = columns(rows, show_ptr)
    if not names:  # nothing to show (rows of @ptr alone)
        return ""
    records = [dict(row) for row in rows]
    if form == "json":
        return "".join(json.dumps({name: record[name] for name in names if name in record}, ensure_ascii=False) + "\n"
                       for record in records)
    if form == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(names)
        writer.writerows([record.get(name, "") for name in names] for record in records)
        return out.getvalue()
    cells = [[_one_line(record.get(name, "")) for name in names] for record in records]
    if form == "text":
        return "".join("\t".join(row) + "\n" for row in cells)
    return _table(names, [[_cut(cell) for cell in row] for row in cells])


def _table(names, cells):
    widths = [max([len(name)] + [len(row[i]) for row in cells]) for i, name in enumerate(names)]
    lines = [names, ["-" * width for width in widths]] + cells
    return "".join("  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip() + "\n" for line in lines)


def _one_line(value):
    return value.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t")


def _cut(value):
    return value if len(value) <= MAX_CELL else value[:MAX_CELL - 3] + "..."
