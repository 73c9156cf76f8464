"""The two interfaces of an input: the Source a stream section reads, and the SourceKind that
makes it and reports on it, so the agent loop and the reports never know which kind they read.

A source is made for one stream section from its StreamConfig, the positions the state file
saved for it and whether it has any state at all. Then:

``poll(budget)`` -> [(key, origin, events)]
    Reads without blocking, at most about ``budget`` bytes per origin (a file, a journal),
    and returns the complete events found, grouped by origin. ``events`` are tuples
    ``(timestamp_ms, message, utf8_size, position)`` in the order read. ``key`` is what the
    state file knows the origin by (a pair; ``None`` for a source that remembers nothing,
    such as stdin). ``origin`` has ``state_row(position)`` -> ``(text, integer)``, the row
    the state file keeps for the key (a file: its path and the offset after the event; the
    journal: the entry's cursor and its time in microseconds). A position of None records
    nothing (the first parts of an oversized journal entry, before any entry of its stream).
    An origin may also have ``accepted(position)`` -> {key: row}: called, in the publisher's
    thread, once its events up to ``position`` were accepted; the rows it returns are saved with
    them (the journal's Watermark: where a restart of a section with a cursor per unit starts).
``busy``
    True after a poll that stopped at the budget: more is waiting, poll again soon.
``exhausted``
    True once a source that ends (stdin) has nothing more to give.
``flush_pending()`` -> like poll
    The events held back because their end is not known yet (a multi-line event waiting for
    the next line), for a section that stops for good.
``keys()``
    The keys of the origins open now: their saved positions are kept when the state is pruned.
``take_gone()`` (optional) -> [folder]
    Origins gone for good since the last call (containers removed and read to their end): the
    agent drops their positions once every event read from them was accepted.
``close()``
    Releases files and child processes.

The agent commits a position, through the publisher, only after CloudWatch Logs accepted
every event up to it; a restart resumes from the committed positions, so nothing is lost and
nothing is sent twice. A source therefore never saves anything itself.
"""
from typing import Callable, Iterable, Mapping, Protocol, runtime_checkable


@runtime_checkable
class Source(Protocol):
    """What the agent reads: see the module's text for each member's contract."""

    busy: bool

    def poll(self, budget: int) -> list: ...

    def flush_pending(self) -> list: ...

    def keys(self) -> Iterable: ...

    def close(self) -> None: ...


@runtime_checkable
class SourceKind(Protocol):
    """One value of a section's ``source`` key: its own config keys, how it opens, and what it
    tells --check, --status and the health metrics. Adding a kind is a folder under sources/
    with one of these, listed in sources/kinds.py's KINDS; the config and the reports take
    everything kind-specific from here.

    ``name``: the value of ``source =``. ``keys``: the section keys only this kind (and any other
    kind that lists them too) takes, each with its validator (config/values.py). ``defaults``:
    values for keys a section leaves out. ``needs_file``: whether the ``file`` key is required.
    ``routes_per_origin``: each origin (a container) may have a log group and stream of its own.
    ``placeholders``: the names' placeholders each origin fills in ({file_name}, {unit} ...), and
    ``parameters``: those that take a parameter ({label:KEY}), by their prefix.
    """

    name: str
    keys: Mapping[str, Callable]
    defaults: Mapping[str, str]
    needs_file: bool
    routes_per_origin: bool
    placeholders: tuple
    parameters: tuple

    def options(self, values: dict) -> object:
        """The kind's own settings, a frozen dataclass (``StreamConfig.options``), from a section's
        values of the kind's keys, validated."""

    def open(self, stream, saved: dict, has_state: bool) -> Source:
        """The Source for a section, given the positions the state file saved for it."""

    def check(self, stream, positions: dict, now: Callable[[], float]) -> tuple:
        """--check: (lines, problems), given the positions the state file saved. The first line
        names the section and where it reads; the problems are sentences naming the key they
        are about, without the section."""

    def survey(self, stream, positions: dict) -> list:
        """[(container name or None, [FileState])]: the files it reads now and the bytes behind
        (--status, the health metrics' bytes behind); [] for a kind without files."""

    def status(self, stream, positions: dict) -> dict:
        """--status: fields of the section's JSON entry beyond the files (none for files)."""

    def status_lines(self, entry: dict) -> list:
        """--status: the text lines for those fields, given the section's JSON entry."""


def shorten(text):
    """A line as the reports show it: at most 80 characters."""
    return text if len(text) <= 80 else text[:77] + "..."
