"""``aws logs push`` without --config-file: standard input into one log stream, until the
input ends and every event was accepted (non-zero if anything could not be delivered)."""
import sys

from awscli_cwlogs.cloudwatch.clients import logs_client
from awscli_cwlogs.lines.events import DATETIME_FORMAT_PATTERN, LINE_FORMAT_KEYS, LineFormat, event_spec
from awscli_cwlogs.lines.records import RECORD_KEYS, RecordFormat
from awscli_cwlogs.config.names import check_name
from awscli_cwlogs.agent.pipeline import build_pipeline, run_agent
from awscli_cwlogs.agent.process import setup_logging
from awscli_cwlogs.cli import CommandError, UsageError
from awscli_cwlogs.config import settings
from awscli_cwlogs.sources.stdin import StdinOptions, StdinSource
from awscli_cwlogs.sources.tail.keys import DECODING_KEYS, LINE_KEYS

STDIN_OPTIONS = ("log_group_name", "log_stream_name", "datetime_format", "time_zone", "encoding",
                 "buffer_duration", "batch_count", "batch_size", "multi_line_start_pattern", "log_format",
                 "timestamp_key", "mask_detectors", "mask_fields")
_STDIN_KEYS = {**settings.COMMON_STREAM_KEYS, **DECODING_KEYS, **LINE_KEYS}  # parsed as a file section's keys


def given_stdin_options(args):
    """The --options of stdin mode that were given, as typed."""
    return [f"--{name.replace('_', '-')}" for name in STDIN_OPTIONS if getattr(args, name) is not None]


def run_stdin(session, args, parsed_globals, lifecycle, redactor=None):
    stream = stdin_stream(args)
    setup_logging(None, parsed_globals, redactor)
    client = None if args.dry_run else logs_client(session, parsed_globals, 1)
    source = StdinSource(event_spec(stream.options.lines, stream.batch_size, stream.record), sys.stdin.fileno())
    pipeline = build_pipeline(stream, source, lifecycle.child(), client=client, store=None, dry_run=args.dry_run,
                              queue_size=settings.GeneralConfig.queue_size, use_gzip=True)
    delivered = run_agent([pipeline], lifecycle)
    stats = pipeline.publisher.stats
    if not delivered or stats.undelivered:
        raise CommandError(f"{stats.undelivered or 'some'} events could not be delivered to "
                           f"{stream.log_group_name}/{stream.log_stream_name}: {stats.last_error or 'stopped'}")
    return 0


def stdin_stream(args):
    """The stream settings for stdin mode, validated like the config file's keys."""
    if not args.log_group_name or not args.log_stream_name:
        raise UsageError("without --config-file, --log-group-name and --log-stream-name are required (stdin mode)")
    values = {"section": "stdin", "defined_in": "arguments"}
    for name in STDIN_OPTIONS:
        value = getattr(args, name)
        if value is None:
            continue
        try:
            values[name] = check_name(name, _STDIN_KEYS[name](str(value)))
        except ValueError as error:
            raise UsageError(f"--{name.replace('_', '-')}: {error}") from None
    if values.get("multi_line_start_pattern") == DATETIME_FORMAT_PATTERN and "datetime_format" not in values:
        raise UsageError("--multi-line-start-pattern {datetime_format} needs --datetime-format")
    settings.check_records(values, {}, lambda key, reason: UsageError(f"--{key.replace('_', '-')}: {reason}"))
    lines = LineFormat(**{key: values.pop(key) for key in LINE_FORMAT_KEYS if key in values})
    record = RecordFormat(**{key: values.pop(key) for key in RECORD_KEYS if key in values})
    return settings.StreamConfig(**values, options=StdinOptions(lines), record=record)
