"""``source = journald``: the systemd journal, read through libsystemd (or journalctl), with a
cursor saved per route."""
from awscli_cwlogs.config import values as parse
from awscli_cwlogs.sources.base import shorten
from awscli_cwlogs.sources.journal import inprocess, journalctl
from awscli_cwlogs.sources.journal.options import JournalOptions
from awscli_cwlogs.sources.journal.sdjournal import Unavailable, library
from awscli_cwlogs.sources.journal.source import KEY, JournaldSource, restart_position, saved_positions
from awscli_cwlogs.timefmt import iso_millis

PREVIEW_ENTRIES = 10


class JournalKind:
    name = "journald"
    keys = {"units": parse.words, "priority": parse.priority, "matches": parse.matches,
            "journal_directory": parse.text, "message_format": parse.choice("short", "message", "json"),
            "journal_reader": parse.choice("auto", "libsystemd", "journalctl")}
    defaults = {}
    needs_file = False
    routes_per_origin = False
    record_names = False  # {json:...} names: its positions are cursors, not offsets (use {unit})
    placeholders = ("unit", "identifier")
    parameters = ()

    def options(self, values):
        return JournalOptions(**values)

    def open(self, stream, saved, has_state):
        return JournaldSource(stream, saved, has_state)

    def check(self, stream, positions, now):
        """Its journal filter, saved position, and the last entries that match now, as events."""
        saved = _restart_position(positions)
        start = ("cursor", saved[0]) if saved else ("head",) if stream.initial_position == "start_of_file" else ("tail",)
        inprocess = _inprocess(stream)
        if inprocess:
            events, problems = inprocess.preview(stream, PREVIEW_ENTRIES)
            reads, counted = inprocess.describe(stream, start), inprocess.count_matching
        else:
            _, events, problems = journalctl.preview(stream, PREVIEW_ENTRIES)
            reads, counted = " ".join(journalctl.journalctl_command(stream, start)), journalctl.count_matching
        lines = [f"[{stream.section}] journal -> log group {stream.log_group_name}, log stream {stream.log_stream_name}"
                 f"  ({stream.defined_in})", f"  reads: {reads}"]
        lines.append(f"  saved position: the entry of {iso_millis(saved[1] // 1000)}" if saved else
                     f"  not read yet: starts at the {'oldest' if stream.initial_position == 'start_of_file' else 'next'} entry")
        if events:
            count, complete = counted(stream)
            lines.append(f"  {'' if complete else 'at least '}{count:,} entries match now"
                         + ("" if complete else " (counted for 10 s)"))
            lines.append(f"  the last {len(events)} matching entries as events:")
            lines += [f"    {iso_millis(timestamp)} | {shorten(message)}" for timestamp, message in events]
        return lines, problems

    def survey(self, stream, positions):
        return []

    def status(self, stream, positions):
        saved = saved_positions(positions)
        start = restart_position(saved)
        inprocess = _inprocess(stream)
        gap = (inprocess.LibsystemdReader(stream).gap(start) if inprocess else journalctl.journal_gap(stream, start)) \
            if start else None
        return {"journal_position": {
            "cursor": start[0], "time": iso_millis(int(start[1] / 1e6 * 1000)),
            "routes": len(set(saved) - {KEY}) or 1, "gap": gap,
        } if start else None}

    def status_lines(self, entry):
        saved = entry["journal_position"]
        if not saved:
            return ["    journal: not read yet"]
        lines = [f"    journal: saved position at the entry of {saved['time']}"
                 + (f" (where all its {saved['routes']} streams resume)" if saved["routes"] > 1 else "")]
        return lines + ([f"    warning: {saved['gap']}"] if saved["gap"] else [])


def _inprocess(stream):
    """The in-process reader's module when the section reads through libsystemd, else None."""
    if stream.options.journal_reader == "journalctl":
        return None
    try:
        library()
    except Unavailable:
        return None
    return inprocess


def _restart_position(positions):
    return restart_position(saved_positions(positions))


KIND = JournalKind()
