"""``source = journald``: the systemd journal, read through journalctl, with a cursor saved per
route."""
from awscli_cwlogs.config import values as parse
from awscli_cwlogs.sources.base import shorten
from awscli_cwlogs.timefmt import iso_millis

PREVIEW_ENTRIES = 10


class JournalKind:
    name = "journald"
    keys = {"units": parse.words, "priority": parse.priority, "matches": parse.matches,
            "journal_directory": parse.text, "message_format": parse.choice("short", "message", "json")}
    defaults = {}
    needs_file = False
    routes_per_origin = False

    def open(self, stream, saved, has_state):
        from awscli_cwlogs.sources.journal.source import JournaldSource
        return JournaldSource(stream, saved, has_state)

    def check(self, stream, positions, now):
        """Its journalctl filter, saved position, and the last entries that match now, as events."""
        from awscli_cwlogs.sources.journal import journalctl
        _, events, problems = journalctl.preview(stream, PREVIEW_ENTRIES)
        saved = _restart_position(positions)
        start = ("cursor", saved[0]) if saved else ("head",) if stream.initial_position == "start_of_file" else ("tail",)
        lines = [f"[{stream.section}] journal -> log group {stream.log_group_name}, log stream {stream.log_stream_name}"
                 f"  ({stream.defined_in})", f"  reads: {' '.join(journalctl.journalctl_command(stream, start))}"]
        lines.append(f"  saved position: the entry of {iso_millis(saved[1] // 1000)}" if saved else
                     f"  not read yet: starts at the {'oldest' if stream.initial_position == 'start_of_file' else 'next'} entry")
        if events:
            count, complete = journalctl.count_matching(stream)
            lines.append(f"  {'' if complete else 'at least '}{count:,} entries match now"
                         + ("" if complete else " (counted for 10 s)"))
            lines.append(f"  the last {len(events)} matching entries as events:")
            lines += [f"    {iso_millis(timestamp)} | {shorten(message)}" for timestamp, message in events]
        return lines, problems

    def survey(self, stream, positions):
        return []

    def status(self, stream, positions):
        from awscli_cwlogs.sources.journal import journalctl
        from awscli_cwlogs.sources.journal.source import KEY, restart_position, saved_positions
        saved = saved_positions(positions)
        start = restart_position(saved)
        return {"journal_position": {
            "cursor": start[0], "time": iso_millis(int(start[1] / 1e6 * 1000)),
            "routes": len(set(saved) - {KEY}) or 1, "gap": journalctl.journal_gap(stream, start),
        } if start else None}

    def status_lines(self, entry):
        saved = entry["journal_position"]
        if not saved:
            return ["    journal: not read yet"]
        lines = [f"    journal: saved position at the entry of {saved['time']}"
                 + (f" (where all its {saved['routes']} streams resume)" if saved["routes"] > 1 else "")]
        return lines + ([f"    warning: {saved['gap']}"] if saved["gap"] else [])


def _restart_position(positions):
    from awscli_cwlogs.sources.journal.source import restart_position, saved_positions
    return restart_position(saved_positions(positions))


KIND = JournalKind()
