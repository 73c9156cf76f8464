"""``aws logs push --check``: what each stream section would do, without calling AWS.

Per section: the resolved names, the files its glob matches (live, rotated, skipped and why),
the saved position and what is not shipped yet, and how the first lines of the live file
become events. Problems (a glob that matches nothing, a datetime_format or multi-line pattern
that matches no line, timestamps the service would reject) are listed one per line."""
import os
import time

from awscli_cwlogs.agent.accounts import Identity
from awscli_cwlogs.agent.events import EventReader, event_spec
from awscli_cwlogs.agent.routing import Router
from awscli_cwlogs.config.settings import DEFAULT_MULTI_LINE_START
from awscli_cwlogs.limits import TOO_NEW_S, TOO_OLD_S
from awscli_cwlogs.sources.containers.source import container_files, missing_root
from awscli_cwlogs.sources.files.survey import LIVE, SKIPPED, survey
from awscli_cwlogs.sources.journal import journalctl
from awscli_cwlogs.sources.journal import source as journald
from awscli_cwlogs.timefmt import iso_millis

PREVIEW_LINES = 10
PREVIEW_BYTES = 65_536


def check_report(agent_config, store, now=time.time):
    """(report text, [problem lines]) for every stream section."""
    lines, problems = [], []
    for stream in agent_config.streams:
        signs = f"  signs with: {Identity.of(stream).describe()}"
        if stream.source in ("journald", "docker", "cri"):
            report = _journald_report if stream.source == "journald" else _container_report
            section_lines, section_problems = report(stream, store)
            lines += section_lines[:1] + [signs] + section_lines[1:]
            problems += section_problems
            continue
        section_problems = []
        lines.append(f"[{stream.section}] {stream.file} -> log group {stream.log_group_name}, "
                     f"log stream {stream.log_stream_name}  ({stream.defined_in})")
        lines.append(signs)
        positions = store.positions(stream.log_group_name, stream.log_stream_name) if store else {}
        files = survey(stream, positions, bool(positions))
        for f in files:
            if f.role == SKIPPED:
                lines.append(f"  {f.role:8s} {f.path}: {f.note}")
                continue
            where = f"saved position {f.offset:,} of {f.size:,} bytes" if f.offset is not None else f"{f.size:,} bytes"
            lines.append(f"  {f.role:8s} {f.path}: {where}, {f.behind:,} not shipped yet"
                         + (f"; {f.note}" if f.note else ""))
        live = next((f for f in files if f.role == LIVE), None)
        router = Router(stream.log_group_name, stream.log_stream_name)
        if live is not None and router.static is None:
            group, name = router.destination({"file_name": os.path.basename(live.path)}, int(now() * 1000))
            lines.append(f"  names for {os.path.basename(live.path)} today: log group {group}, log stream {name}")
        if not files:
            section_problems.append(f"file: '{stream.file}' matches no file")
        elif live is None:
            section_problems.append(f"file: '{stream.file}' matches no readable file")
        else:
            preview, found = _preview(live.path, stream, now)
            lines += preview
            section_problems += found
        section_problems = [f"[{stream.section}] {problem}" for problem in section_problems]
        problems += section_problems
        lines += [f"  problem: {problem}" for problem in section_problems]
        lines.append("")
    lines.append(f"{len(problems)} problem(s) found" if problems else "no problems found")
    return "\n".join(lines) + "\n", problems


def _container_report(stream, store):
    """The containers a docker or cri section finds, those it leaves out and why, the group and
    stream each one's output goes to, and its files."""
    where = stream.docker_root if stream.source == "docker" else stream.file
    lines = [f"[{stream.section}] {stream.source} containers ({where}) -> log group {stream.log_group_name}, "
             f"log stream {stream.log_stream_name}  ({stream.defined_in})"]
    positions = store.positions(stream.log_group_name, stream.log_stream_name) if store else {}
    found = container_files(stream, positions)
    for container, destination, files in found:
        name = container.values.get("container_name", container.key)
        if container.ignored:
            lines.append(f"  left out  {name}: {container.ignored}")
            continue
        lines.append(f"  container {name}: log group {destination[0]}, log stream {destination[1]}")
        for f in files:
            where = f"saved position {f.offset:,} of {f.size:,} bytes" if f.offset is not None else f"{f.size:,} bytes"
            lines.append(f"    {f.role:8s} {f.path}: {where}, {f.behind:,} not shipped yet" + (f"; {f.note}" if f.note else ""))
    if not found:
        lines.append("  no container found yet (new ones are picked up while the agent runs)")
    problems = [f"[{stream.section}] {problem}" for problem in [missing_root(stream)] if problem]
    return lines + [f"  problem: {problem}" for problem in problems] + [""], problems


def _journald_report(stream, store):
    """The lines and problems of a journald section: its journalctl filter, saved position, and
    the last entries that match now, as they would be sent."""
    _, events, problems = journalctl.preview(stream, PREVIEW_LINES)
    saved = journald.restart_position(journald.saved_positions(
        store.positions(stream.log_group_name, stream.log_stream_name) if store else {}))
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
        lines += [f"    {iso_millis(timestamp)} | {_shorten(message)}" for timestamp, message in events]
    problems = [f"[{stream.section}] {problem}" for problem in problems]
    return lines + [f"  problem: {problem}" for problem in problems] + [""], problems


def _preview(path, stream, now):
    """Lines showing how the file's first lines become events, and the problems they reveal."""
    with open(path, "rb") as source:
        head = source.read(PREVIEW_BYTES)
    raw_lines = head.split(b"\n")
    last = raw_lines.pop()  # after the last newline: a partial line, or the end of a file without one
    if last and len(head) < PREVIEW_BYTES:
        raw_lines.append(last)
    raw_lines = raw_lines[:PREVIEW_LINES]
    if not raw_lines:
        return ["  the live file has no complete line yet: nothing to preview"], []
    spec = event_spec(stream, now=now)
    texts = [raw.decode(stream.encoding, "replace").rstrip("\r") for raw in raw_lines]
    groups = _group_lines(raw_lines, spec, now)
    out = [f"  first {len(raw_lines)} line(s) of {path} as events:"]
    problems, parsed_any, previous = [], False, None
    for number, (first, last, events) in enumerate(groups, 1):
        text = texts[first]
        shown = _shorten(text)
        if not events:
            out.append(f"    line {first + 1}: blank, not sent")
            continue
        parsed = spec.timestamp(text) if spec.timestamp else None
        timestamp = events[0][0]
        if parsed is not None:
            parsed_any = True
            when = iso_millis(timestamp)
            age = now() - timestamp / 1000
            if age > TOO_OLD_S:
                problems.append(f"datetime_format: line {first + 1}'s timestamp {when} is more than 14 days old: "
                                "the service would reject it (check datetime_format and time_zone)")
            elif -age > TOO_NEW_S:
                problems.append(f"datetime_format: line {first + 1}'s timestamp {when} is more than 2 hours ahead: "
                                "the service would reject it (check time_zone)")
        elif not spec.timestamp:
            when = "no datetime_format: the time it is read"
        else:
            when = f"no timestamp, falls back to {'the previous event' if previous else 'the time it is read'}"
        span = f"lines {first + 1}-{last + 1}" if last > first else f"line {first + 1}"
        joined = f"  (+{last - first} line(s) joined)" if last > first else ""
        parts = f"  (split into {len(events)} parts)" if len(events) > 1 else ""
        out.append(f"    event {number}, {span}: {when} | {shown}{joined}{parts}")
        previous = events
    if stream.datetime_format and not parsed_any:
        problems.append(f"datetime_format: '{stream.datetime_format}' matches none of the first {len(raw_lines)} "
                        f"line(s) of {path}; events would take the previous event's time or the time they are read")
    if stream.multi_line_start_pattern != DEFAULT_MULTI_LINE_START and not any(spec.starts_event(text) for text in texts):
        problems.append(f"multi_line_start_pattern: '{stream.multi_line_start_pattern}' matches none of the first "
                        f"{len(raw_lines)} line(s) of {path}; they would all be joined into one event")
    return out, problems


def _group_lines(raw_lines, spec, now):
    """[(first line index, last line index, events)] as the reader forms events (no events: a blank line)."""
    reader = EventReader(spec, now=now)
    groups, start = [], 0
    for index, raw in enumerate(raw_lines):
        empty_before = reader.empty_events
        events = reader.feed(raw + b"\n")
        if index and (events or reader.empty_events != empty_before):
            groups.append((start, index - 1, events))
            start = index
    groups.append((start, len(raw_lines) - 1, reader.finish()))
    return groups


def _shorten(text):
    return text if len(text) <= 80 else text[:77] + "..."
