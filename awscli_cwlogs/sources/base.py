"""The one interface every input keeps, so the agent loop never knows which kind it reads.

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
