"""The inputs of ``aws logs push``: one folder per kind, each with a SourceKind (base.py) that
knows its config keys, opens its Source and reports on it. A section's ``source`` key names its
kind; stdin mode has a Source of its own (stdin.py) and no kind."""
from awscli_cwlogs.sources.containers.kind import CRI, DOCKER
from awscli_cwlogs.sources.files.kind import KIND as FILE
from awscli_cwlogs.sources.journal.kind import KIND as JOURNAL

KINDS = {kind.name: kind for kind in (FILE, JOURNAL, DOCKER, CRI)}


def kind_of(stream):
    """The SourceKind of a stream section."""
    return KINDS[stream.source]


def open_source(stream, saved, has_state):
    """The Source a stream section reads."""
    return kind_of(stream).open(stream, saved, has_state)
