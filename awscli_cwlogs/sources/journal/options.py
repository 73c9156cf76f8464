"""The keys of ``source = journald``."""
from dataclasses import dataclass


@dataclass(frozen=True)
class JournalOptions:
    """``units``: unit names or globs (none: the whole journal); ``priority``: the least important
    level kept, as journalctl -p takes it; ``matches``: FIELD=value matches (and "+") with
    journalctl's meaning; ``journal_directory``: read this folder's journal files; ``message_format``:
    short, message or json; ``journal_reader``: auto (libsystemd if it loads, else journalctl),
    libsystemd or journalctl."""
    units: tuple = ()
    priority: str = None
    matches: tuple = ()
    journal_directory: str = None
    message_format: str = "short"
    journal_reader: str = "auto"
