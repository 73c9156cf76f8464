"""The table of source kinds: a section's ``source`` key names its kind (a folder beside this
one, with its SourceKind); adding a kind adds a line here."""
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
