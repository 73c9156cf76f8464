"""journalctl's command lines, and the one-shot questions --check and --status ask it: the
last matching entries as they would be sent, how many match, and whether a saved cursor is
still in the journal."""
import json
import subprocess
import time

from awscli_cwlogs.sources.journal.entries import SHORT_FIELDS, entry_events

OUTPUT_FIELDS_SINCE = 236  # journalctl --output-fields
DENIED = ("insufficient permissions", "Permission denied")
PERMISSION_FIX = "Run the agent as root, or in the systemd-journal (or adm) group"


def journalctl_command(stream, start, journalctl="journalctl", follow=True, fields=None):
    """The journalctl command line; ``start``: ("cursor", C), ("head",), ("tail",) or ("last", N);
    ``fields``: the fields to print, by default those the section's format needs (all for json)."""
    command = [journalctl, "-o", "json", "--all", "--no-pager"] + (["--follow"] if follow else [])
    if fields is None and stream.options.message_format != "json":
        fields = SHORT_FIELDS
    if fields and systemd_version(journalctl) >= OUTPUT_FIELDS_SINCE:
        command.append("--output-fields=" + ",".join(fields))
    if start[0] == "cursor":  # --follow would otherwise give 10 entries from the cursor, then only new ones
        command += ["--cursor", start[1], "--no-tail"]
    elif start[0] == "last":
        command += ["--lines", str(start[1])]
    else:  # --follow alone starts with the last 10 entries (systemd issue 4739)
        command += ["--lines", "all" if start[0] == "head" else "0"]
    return command + journal_filter(stream)


def journal_filter(stream):
    """journalctl's arguments that choose a section's entries: folder, units, priority, matches."""
    arguments = ["--directory", stream.options.journal_directory] if stream.options.journal_directory else []
    for unit in stream.options.units:
        arguments += ["--unit", unit]
    if stream.options.priority is not None:
        arguments += ["--priority", stream.options.priority]
    return arguments + list(stream.options.matches)


def systemd_version(journalctl, _known={}):
    """journalctl's systemd version (0 if it cannot tell), asked once per program."""
    if journalctl not in _known:
        try:
            said = subprocess.run([journalctl, "--version"], capture_output=True, timeout=10).stdout.split()
            _known[journalctl] = int(said[1]) if said[:1] == [b"systemd"] else 0
        except (OSError, subprocess.SubprocessError, IndexError, ValueError):
            _known[journalctl] = 0
    return _known[journalctl]


def preview(stream, count, journalctl="journalctl", timeout=30):
    """(the command, [(timestamp_ms, message)] of the last ``count`` matching entries as they
    would be sent, [problems]) for --check; it never follows."""
    command = journalctl_command(stream, ("last", count), journalctl, follow=False)
    try:
        result = subprocess.run(command, capture_output=True, timeout=timeout)
    except OSError as error:
        return command, [], [f"source: cannot run {journalctl} ({error.strerror}): is this a systemd host?"]
    except subprocess.TimeoutExpired:
        return command, [], [f"source: {journalctl} did not answer within {timeout} s"]
    stderr = result.stderr.decode("utf-8", errors="replace")
    if any(sign in stderr for sign in DENIED):
        return command, [], [f"source: cannot read the journal: permission denied. {PERMISSION_FIX}"]
    entries = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    events = [(event[0], event[1]) for entry in entries
              for event in entry_events(entry, stream.options.message_format, None)]
    problems = [] if entries else [f"source: no journal entry matches ({' '.join(journal_filter(stream)) or 'the whole journal'})"]
    if result.returncode != 0 and not entries:
        problems = [f"source: {journalctl} failed: {stderr.strip().splitlines()[0] if stderr.strip() else result.returncode}"]
    return command, events, problems


def count_matching(stream, journalctl="journalctl", seconds=10.0):
    """(how many entries match the section's filters now, whether that is all of them): counted
    for at most ``seconds`` (a large journal: "at least")."""
    command = journalctl_command(stream, ("head",), journalctl, follow=False, fields=("__CURSOR",))
    try:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL)
    except OSError:
        return 0, False
    count, deadline = 0, time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            chunk = process.stdout.read1(1 << 20)
            if not chunk:
                return count, True
            count += chunk.count(b"\n")
        return count, False
    finally:
        process.kill()
        process.wait()


def entry_at(stream, cursor, journalctl="journalctl", timeout=30):
    """The entry at ``cursor`` as journalctl prints it now (a dict), or None."""
    entry = _first_entry(journalctl_command(stream, ("cursor", cursor), journalctl, follow=False), timeout)[1]
    return entry if entry is not None and entry.get("__CURSOR") == cursor else None


def _first_entry(command, timeout):
    """(whether ``command`` ran, the first entry it printed or None)."""
    try:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL)
    except OSError:
        return False, None
    try:
        first = process.stdout.readline()
    finally:
        process.kill()
        process.wait(timeout)
    try:
        entry = json.loads(first)
    except ValueError:
        return True, None
    return True, entry if isinstance(entry, dict) else None


def journal_gap(stream, position, journalctl="journalctl", timeout=30):
    """A sentence naming the time span that may be missing when the journal no longer holds the
    entry at ``position`` (vacuumed while the agent was down), else None. It looks without the
    section's filters, so a filter changed since is not taken for a gap."""
    command = [journalctl, "-o", "json", "--no-pager", "--cursor", position[0]]
    if stream.options.journal_directory:
        command += ["--directory", stream.options.journal_directory]
    ran, entry = _first_entry(command, timeout)
    if not ran or (entry is not None and entry.get("__CURSOR") == position[0]):
        return None
    return gap_sentence(position, int(entry["__REALTIME_TIMESTAMP"]) if entry else None)


def gap_sentence(position, oldest_usec):
    """What may be missing when the journal no longer holds the entry at ``position``; its oldest
    entry is of ``oldest_usec`` (None: it holds none)."""
    since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(position[1] / 1e6))
    until = ("the oldest entry it holds, of " + time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(oldest_usec / 1e6))
             if oldest_usec is not None else "now")
    return (f"the journal no longer holds the last entry sent (of {since}): it was vacuumed while the "
            f"agent was down; entries from {since} to {until} may be missing")
