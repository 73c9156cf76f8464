"""``aws logs push --status``: how far behind each stream is, from the state file and the files
alone (it never calls AWS and never writes; it works beside a running agent)."""
import calendar
import json
import time

from awscli_cwlogs.kvstore import REJECTED, billable_bytes
from awscli_cwlogs.sources.kinds import KINDS, kind_of
from awscli_cwlogs.stateepisode import state_disk
from awscli_cwlogs.statelock import holder, read_note
from awscli_cwlogs.timefmt import iso_millis

DAY_S = 86_400
GB = 1 << 30


def status_report(agent_config, store):
    """One dict per stream section (JSON-ready); ``store`` is a read-only StateStore or None."""
    report = []
    waiting = store.waiting() if store else {}
    for stream in agent_config.streams:
        group, name = stream.log_group_name, stream.log_stream_name
        positions = store.positions(group, name) if store else {}
        counters = store.stream_counters(group, name) if store else {}
        sent = counters.get("events_sent", 0)
        per_event = (counters["message_bytes"] + sent) / sent if sent else None  # + the newline of each line
        kind, files = kind_of(stream), []
        for container, states in kind.survey(stream, positions):
            files += [{
                "path": state.path, "role": state.role, "size": state.size, "offset": state.offset,
                "bytes_behind": state.behind, "container": container,
                "events_behind": round(state.behind / per_event) if per_event else None, "note": state.note,
            } for state in states]
        report.append({
            "section": stream.section, "source": stream.source, "log_group_name": group, "log_stream_name": name,
            "files": files,
            "waiting_for_descriptor": [{"path": path, "since": _iso(since)}
                                       for path, since in waiting.get(stream.section, [])],
            "bytes_behind": sum(f["bytes_behind"] for f in files),
            "events_behind": sum(f["events_behind"] or 0 for f in files) if per_event else None,
            "events_sent": sent, "batches_sent": counters.get("batches_sent", 0),
            "rejected": {key: counters.get(key, 0) for key in REJECTED},
            "filtered": counters.get("filtered", 0),
            "not_json": counters.get("not_json", 0), "masked": counters.get("masked", 0),
            **_billable(stream, store, counters, dict(agent_config.general.price_per_gb)),
            "last_accepted": _iso(counters.get("last_accepted")),
            "last_error": counters.get("last_error"), "last_error_at": _iso(counters.get("last_error_at")),
        })
        report[-1].update(kind.status(stream, positions))
    return report


def _billable(stream, store, counters, prices):
    """Billable bytes (accepted events' message bytes + 26 each) since the first run and in the
    last 24 hours, and what they cost at the section's class (GB = 2^30 bytes)."""
    total = billable_bytes(counters)
    day = store.billable_since(stream.log_group_name, stream.log_stream_name, DAY_S) if store else 0
    price = prices[stream.log_group_class]
    return {"billable_bytes": total, "billable_bytes_24h": day, "log_group_class": stream.log_group_class,
            "price_per_gb": price, "cost": total / GB * price, "cost_24h": day / GB * price}


def config_report(record, fetched, store, problem=None):
    """Where the configuration comes from; for SSM parameters, the versions the agent runs (as it
    recorded them in the state file), its last fetch and last error. ``problem``: why the sections
    shown are the last good configuration's, not those of the parameters now."""
    report = {"source": record.source}
    if not fetched.documents:
        return report
    saved = (store.config_status() if store else None) or {}
    running = [f"ssm:{name} version {version}" for name, version in saved.get("versions") or []]
    now = f"cannot use them: {problem}; shown: the last good configuration" if problem else fetched.describe()
    return {**report, "parameters_now": now, "running": ", ".join(running) or None,
            "last_fetch": _iso(saved.get("last_fetch")), "last_error": saved.get("last_error"),
            "last_error_at": _iso(saved.get("last_error_at")), "fetch_failures": saved.get("fetch_failures", 0)}


def agent_report(state_file):
    """Whether an agent runs on the state file (it holds the lock), what it last noted there (since
    when it runs; a time its state file could not be written), and the state file's disk. A note
    of another pid than the running agent's is an older agent's: the running one could not write
    its own (a read-only or full disk)."""
    pid, note = holder(state_file), read_note(state_file) or {}
    current = pid is None or note.get("pid") == pid
    unwritten = note.get("state_file_unwritten") if current else None
    return {"running": pid is not None, "pid": pid or note.get("pid"), "noted": current,
            "since": _iso(note.get("since")) if current else None,
            "stopped": None if pid is not None else _iso(note.get("stopped")),
            "state_file_unwritten": {**unwritten, "since": _iso(unwritten["since"])} if unwritten else None,
            "disk": state_disk(state_file)}


def health(agent):
    """(healthy, one line) of agent_report()'s answer: an agent runs on the state file and writes it."""
    if not agent["running"]:
        return False, "unhealthy: no agent runs on the state file"
    unwritten = agent["state_file_unwritten"]
    if unwritten:
        return False, f"unhealthy: the state file is not written since {unwritten['since']}: {unwritten['cause']}"
    if not agent["noted"]:
        return False, "unhealthy: the agent cannot write its note beside the state file"
    return True, f"healthy: agent pid {agent['pid']} running since {agent['since']}"


def render_agent(agent, now=time.time):
    if agent["running"]:
        since = f", since {agent['since']}" if agent["since"] else ""
        lines = [f"agent: running (pid {agent['pid'] or 'unknown'}{since})"]
    elif agent["pid"]:
        stopped = f"stopped {agent['stopped']}" if agent["stopped"] else "ended without a clean stop"
        lines = [f"agent: not running (the last one, pid {agent['pid']}, {stopped})"]
    else:
        lines = ["agent: not running"]
    unwritten = agent["state_file_unwritten"]
    if unwritten:
        resend = "a kill -9 now would send" if agent["running"] else "the next start sends"
        lines.append(f"  state file: not written since {unwritten['since']}{_ago(unwritten['since'], now)}: "
                     f"{unwritten['cause']}; {unwritten['failures']:,} failed attempt(s); {resend} "
                     f"{unwritten['unsaved_events']:,} event(s) again")
    elif agent["running"]:
        lines.append("  state file: written" if agent["noted"] else
                     "  state file: unknown: the agent cannot write its note beside it (see the disk)")
    disk = agent["disk"]
    if disk is not None:
        lines.append("  state file's disk: read-only" if disk["read_only"] else
                     f"  state file's disk: {disk['free_bytes']:,} bytes free")
    return lines


def render_json(report, configuration=None, agent=None):
    extra = {**({"agent": agent} if agent else {}), **({"configuration": configuration} if configuration else {})}
    return json.dumps({**extra, "streams": report}, indent=2) + "\n"


def render_configuration(configuration, now=time.time):
    lines = [f"configuration: {configuration['source']}"]
    if "parameters_now" not in configuration:
        return lines
    lines.append(f"  in SSM now: {configuration['parameters_now']}")
    lines.append(f"  the agent runs: {configuration['running'] or 'nothing recorded yet (has it run?)'}")
    error = configuration["last_error"]
    lines.append(f"  last fetch: {configuration['last_fetch'] or 'never'}{_ago(configuration['last_fetch'], now)};"
                 f" failed fetches: {configuration['fetch_failures']:,}")
    lines.append(f"  last fetch error: {error} at {configuration['last_error_at']}"
                 f"{_ago(configuration['last_error_at'], now)}" if error else "  last fetch error: none")
    return lines


def render_text(report, configuration=None, now=time.time, agent=None):
    lines = render_agent(agent, now) if agent else []
    lines += render_configuration(configuration, now) if configuration else []
    for stream in report:
        lines.append(f"[{stream['section']}] {stream['log_group_name']} / {stream['log_stream_name']}")
        behind = f"{stream['bytes_behind']:,} bytes"
        if stream["events_behind"] is not None:
            behind += f" (~{stream['events_behind']:,} events)"
        lines.append(f"  behind: {behind}")
        for f in stream["files"]:
            where = f"at {f['offset']:,} of {f['size']:,}" if f["offset"] is not None else f"{f['size']:,} bytes"
            note = f"; {f['note']}" if f["note"] else ""
            owner = f"container {f['container']}: " if f["container"] else ""
            lines.append(f"    {owner}{f['role']:8s} {f['path']}: {where}, {f['bytes_behind']:,} behind{note}")
        for f in stream["waiting_for_descriptor"]:
            lines.append(f"    waiting  {f['path']}: no descriptor free since {f['since']}")
        extra = KINDS[stream["source"]].status_lines(stream)
        lines += extra if extra or stream["files"] else ["    no file matches yet"]
        last = stream["last_accepted"] or "never"
        lines.append(f"  sent: {stream['events_sent']:,} events in {stream['batches_sent']:,} batches;"
                     f" last accepted: {last}{_ago(stream['last_accepted'], now)}")
        rejected = stream["rejected"]
        lines.append(f"  rejected by the service: too old {rejected['too_old']:,}, too new {rejected['too_new']:,},"
                     f" expired {rejected['expired']:,}, invalid {rejected['refused']:,};"
                     f" filtered out: {stream['filtered']:,}")
        if stream["not_json"] or stream["masked"]:
            lines.append(f"  structured: {stream['not_json']:,} lines sent as text (not JSON objects);"
                         f" {stream['masked']:,} values masked")
        lines.append(f"  billable: {stream['billable_bytes']:,} bytes since the first run"
                     f" ({_dollars(stream['cost'])} at {_price(stream['price_per_gb'])} per GB, {stream['log_group_class']}"
                     f" class), {stream['billable_bytes_24h']:,} in the last 24 hours ({_dollars(stream['cost_24h'])})")
        error = stream["last_error"]
        lines.append(f"  last error: {error} at {stream['last_error_at']}{_ago(stream['last_error_at'], now)}"
                     if error else "  last error: none")
    return "\n".join(lines) + "\n"


def _price(price):
    return f"${price:.2f}" if round(price, 2) == price else f"${price}"


def _dollars(amount):
    return "$0.00" if not amount else f"~${amount:,.2f}" if amount >= 0.01 else "under $0.01"


def _iso(seconds):
    return None if seconds is None else iso_millis(int(seconds * 1000))


def _ago(iso, now):
    if iso is None:
        return ""
    then = calendar.timegm(time.strptime(iso[:19], "%Y-%m-%dT%H:%M:%S"))
    return f" ({max(now() - then, 0):,.0f} s ago)"
