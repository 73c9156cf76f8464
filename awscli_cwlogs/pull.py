"""``aws logs pull``: exports one log stream with GetLogEvents, or whole groups (export.reading)."""
import sys

from awscli_cwlogs.cli import LogsCommand, UsageError, create_logs_client, parse_json_quickly
from awscli_cwlogs.export.checkpoint import open_checkpoint, open_output
from awscli_cwlogs.export.common import (FOLLOW_ARGS, WINDOW_ARGS, check_pull_delay, make_formatter, output_format_arg,
                                         parse_window, write_pages)
from awscli_cwlogs.export.groups import GroupSource
from awscli_cwlogs.export.newest import LAST_ARGS, check_last, in_order, newest_in_groups, newest_in_stream
from awscli_cwlogs.export.progress import progress_for
from awscli_cwlogs.export.reading import GROUP_ARGS, LIVE_ARG, check_live, chosen_group_option, group_pages, window
from awscli_cwlogs.export.streampages import StreamPages
from awscli_cwlogs.export.tos3 import export_to_s3

DEFAULT_FORMAT = "{timestamp} {message}"
GROUP_FORMAT = "{logStreamName} {timestamp} {message}"
MANY_GROUPS_FORMAT = "{logGroupName} {logStreamName} {timestamp} {message}"
GROUP_OPTIONS = ("log_group_name", "log_group_names", "log_group_name_prefix", "log_group_name_pattern")


class PullCommand(LogsCommand):
    NAME = "pull"
    DESCRIPTION = (
        "Exports the events of one log stream, oldest first, to standard output; or, without "
        "--log-stream-name, every stream of one or several log groups, merged in time order; or has the "
        "service export them to S3 (--to-s3) and downloads them (--download).\n\n"
        "A stream is paged through with GetLogEvents and the forward token, to the point where the "
        "service returns the token it was sent, so a page that comes back empty in the "
        "middle of a stream does not end the export early. Events are written as each page "
        "arrives, so memory does not grow with the size of the stream. Whole groups are read with "
        "FilterLogEvents, as ``aws logs filter`` does. Throttling, server "
        "errors and dropped connections are retried with exponential backoff (botocore's "
        "standard retry mode; set ``retry_mode``/``max_attempts`` in your "
        "profile to change it).\n\n"
        "When standard output is redirected and standard error is a terminal, a progress "
        "line on standard error shows the events so far, the rate and the timestamp reached.\n\n"
        "Exit status: 0 on success (and on Ctrl-C while following); 252 for bad arguments; 255 for a "
        "service or network error, or an export task that ended FAILED or CANCELLED; 130 on Ctrl-C "
        "otherwise.\n\n"
    )
    ARG_TABLE = [
        {"name": "log-group-name", "help_text": "<p>The log group.</p>"},
        {"name": "log-stream-name", "help_text": "<p>The log stream to export. Without it, every stream of the "
         "group(s), merged in time order (FilterLogEvents).</p>"},
        *GROUP_ARGS,
        *WINDOW_ARGS,
        output_format_arg(DEFAULT_FORMAT, MANY_GROUPS_FORMAT, GROUP_FORMAT),
        *FOLLOW_ARGS,
        LIVE_ARG,
        *LAST_ARGS,
        {"name": "output-file", "help_text": "<p>Write to this file instead of standard output; gzip-compressed when "
         "its name ends in <code>.gz</code>.</p>"},
        {"name": "checkpoint", "help_text": "<p>Resume an interrupted export: after each page, the token of the "
         "next page (and the size of <code>--output-file</code>) is saved in this file; a later run with the same "
         "file goes on from there, so with <code>--output-file</code> no event is lost or written twice. A finished "
         "export run again writes only the events added since. <code>--start-time</code> applies only to the "
         "first run.</p>"},
        {"name": "to-s3", "help_text": "<p>Have the service export the group (or, with --log-stream-name, the "
         "stream) to S3 instead, for the time window (default: everything until now), with an export task: "
         "<code>s3://BUCKET/PREFIX</code> (PREFIX defaults to <code>exportedlogs</code>). The bucket must be in "
         "the group's region and let CloudWatch Logs write to it. An account runs one export task at a time: "
         "this waits behind a running one and says so. It reports the task's status on standard error and "
         "prints where the objects are, <code>s3://BUCKET/PREFIX/TASK-ID/</code>: under it, a folder per "
         "stream of gzip files of <code>TIMESTAMP MESSAGE</code> lines.</p>"},
        {"name": "download", "help_text": "<p>With --to-s3: then fetch the exported objects into this folder, "
         "uncompressed, one file per stream (<code>STREAM.log</code>, with <code>/</code> written "
         "<code>%2F</code>), each in order. Interrupted (even while the task runs), the same command run "
         "again goes on where it stopped, with the same task, and writes nothing twice.</p>"},
    ]
    EXAMPLES = (
        "Export a whole stream::\n\n"
        "  aws logs pull --log-group-name app --log-stream-name web-1 > web-1.log\n\n"
        "The last two hours, as JSON lines::\n\n"
        "  aws logs pull --log-group-name app --log-stream-name web-1 --start-time 2h --output-format json\n\n"
        "One UTC day, with the stream name in each line::\n\n"
        "  aws logs pull --log-group-name app --log-stream-name web-1 "
        "--start-time 2026-11-21T00:00:00Z --end-time 2026-11-22T00:00:00Z "
        "--output-format '{logStreamName} {timestamp} {message}'\n\n"
        "Follow a stream as it grows, polling every 2 seconds when idle::\n\n"
        "  aws logs pull --log-group-name app --log-stream-name web-1 --follow --pull-delay 2000\n\n"
        "Follow every group whose name starts with ``/shop/``, live::\n\n"
        "  aws logs pull --log-group-name-prefix /shop/ --live\n\n"
        "Have the service export a day of a group to S3, then download it::\n\n"
        "  aws logs pull --log-group-name app --start-time 2026-11-21T00:00:00Z --end-time 2026-11-22T00:00:00Z "
        "--to-s3 s3://my-log-archive/app --download ./app-2026-11-21\n\n"
        "The 100 newest events of a stream, without reading it from its start::\n\n"
        "  aws logs pull --log-group-name app --log-stream-name web-1 --last 100\n\n"
        "Export to a gzip file that an interrupted run resumes exactly::\n\n"
        "  aws logs pull --log-group-name app --log-stream-name web-1 --output-file web-1.log.gz "
        "--checkpoint web-1.checkpoint\n"
    )

    def run(self, parsed_args, parsed_globals):
        one_group = chosen_group_option(parsed_args, GROUP_OPTIONS) == "log_group_name"
        if parsed_args.log_stream_name is not None and not one_group:
            raise UsageError("--log-stream-name goes with --log-group-name")
        start, end = parse_window(parsed_args)
        if parsed_args.to_s3 or parsed_args.download:
            return export_to_s3(self._session, parsed_globals, parsed_args, start, end, self._say)
        delay = check_pull_delay(parsed_args)
        check_live(parsed_args, end)
        check_last(parsed_args, start)
        if parsed_args.last is not None and parsed_args.checkpoint:
            raise UsageError("--checkpoint resumes a whole export: not with --last")
        if parsed_args.follow or parsed_args.live:
            self.exit_on_interrupt = 0
        if parsed_args.log_stream_name is None or parsed_args.live:
            return self._run_groups(parsed_args, parsed_globals, start, end, delay)
        return self._run_stream(parsed_args, parsed_globals, start, end, delay)

    def _run_stream(self, parsed_args, parsed_globals, start, end, delay):
        """One stream, with GetLogEvents; resumed from and saved to --checkpoint."""
        formatter = make_formatter(parsed_args.output_format or DEFAULT_FORMAT, parsed_args.log_stream_name)
        checkpoint, saved = open_checkpoint(parsed_args)
        out = open_output(parsed_args.output_file, saved["output_bytes"] if saved else 0)
        client = parse_json_quickly(create_logs_client(self._session, parsed_globals), "GetLogEvents")
        pages = stream_pages(client, parsed_args, start, end, delay, saved)
        written = saved["events"] if saved else 0

        def after_page(count):
            nonlocal written
            written += count
            if checkpoint is not None:
                checkpoint.save(pages.next_token, out.size() if out else 0, written)
        try:
            write_pages(pages, formatter, progress_for(), out=out, after_page=after_page)
        finally:
            if out is not None:
                out.close()
        return 0

    def _run_groups(self, parsed_args, parsed_globals, start, end, delay):
        """Every stream of the groups (or, with --live, the one stream): as filter reads them."""
        if parsed_args.checkpoint:
            raise UsageError("--checkpoint resumes the export of one stream: give --log-stream-name (without --live)")
        client = parse_json_quickly(create_logs_client(self._session, parsed_globals), "FilterLogEvents")
        names = [parsed_args.log_group_name] if parsed_args.log_group_name else parsed_args.log_group_names
        source = GroupSource(client, names, parsed_args.log_group_name_prefix, parsed_args.log_group_name_pattern,
                             delay)
        several = len(source.current()) > 1 or not source.fixed
        stream = parsed_args.log_stream_name
        default = MANY_GROUPS_FORMAT if several else DEFAULT_FORMAT if stream else GROUP_FORMAT
        formatter = make_formatter(parsed_args.output_format or default, stream)
        request = {"interleaved": True, **({"logStreamNames": [stream]} if stream else {})}
        if parsed_args.last is not None:
            pages = in_order(newest_in_groups(client, source, {**request, **window(start, end)}, parsed_args.last),
                             parsed_args.newest_first)
        else:
            pages = group_pages(self.NAME, self._session, parsed_globals, client, source, request, parsed_args,
                                start, end, delay)
        out = open_output(parsed_args.output_file, 0)
        try:
            write_pages(pages, formatter, progress_for(), out=out)
        finally:
            if out is not None:
                out.close()
        return 0

    def _say(self, line):
        sys.stderr.write(f"aws logs pull: {line}\n")
        sys.stderr.flush()

    def missing_resource(self, parsed_args):
        if parsed_args.log_stream_name is None:
            return f"log group '{parsed_args.log_group_name}'" if parsed_args.log_group_name else None
        return f"log stream '{parsed_args.log_stream_name}' in log group '{parsed_args.log_group_name}'"


def stream_pages(client, parsed_args, start, end, delay, saved):
    """The pages of one stream: the newest (--last), or from the start (or --checkpoint's ``saved`` place) on."""
    if parsed_args.last is not None:
        return in_order(newest_in_stream(client, parsed_args.log_group_name, parsed_args.log_stream_name, start, end,
                                         parsed_args.last), parsed_args.newest_first)
    return StreamPages(client, parsed_args.log_group_name, parsed_args.log_stream_name, None if saved else start, end,
                       parsed_args.follow, delay, token=saved["next_token"] if saved else None)
