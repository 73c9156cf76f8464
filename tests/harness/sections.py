"""A stream section's StreamConfig as the configuration makes it, from keys given flat as a section
has them (the kind's own ones go into its options object), for tests that need no config file."""
from awscli_cwlogs.config.settings import stream_config
from awscli_cwlogs.lines.events import event_spec
from awscli_cwlogs.sources.kinds import KINDS


def make_stream(section="s", log_group_name="g", log_stream_name="s", defined_in="", **keys):
    """``keys``: any section keys, common or the kind's (``source`` picks the kind; default file)."""
    values = {"log_group_name": log_group_name, "log_stream_name": log_stream_name, **keys}
    return stream_config(KINDS, values, section, defined_in)


def spec_of(stream, **now):
    """The EventSpec of a section's lines (``now=``: the clock for timestamps without a year)."""
    return event_spec(stream.options.lines, stream.batch_size, **now)
