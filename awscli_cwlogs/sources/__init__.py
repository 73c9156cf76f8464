"""The inputs of ``aws logs push``, one module per kind behind the interface in base.py;
``open_source`` picks the kind by the section's ``source`` key."""
from awscli_cwlogs.agent.events import event_spec


def open_source(stream, saved, has_state):
    """The source a stream section reads (``stream.source``: file, journald, docker or cri)."""
    if stream.source == "journald":
        from awscli_cwlogs.sources.journal.source import JournaldSource
        return JournaldSource(stream, saved, has_state)
    if stream.source in ("docker", "cri"):
        from awscli_cwlogs.sources.containers.source import ContainerSource
        return ContainerSource(stream, event_spec(stream), saved, has_state)
    from awscli_cwlogs.sources.files.matching import EveryMatchTailer
    from awscli_cwlogs.sources.files.tailer import FileTailer
    follow = EveryMatchTailer if stream.publish_all_matching else FileTailer
    return follow(stream, event_spec(stream), saved, has_state)
