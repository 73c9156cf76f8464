"""``aws logs query``: a Logs Insights query over one or many log groups, from the command line:
its arguments, then export/insights.py (running it) and export/rows.py (printing the rows)."""
import shutil
import sys
import time

from awscli_cwlogs.cli import LogsCommand, UsageError, create_logs_client, parse_json_quickly
from awscli_cwlogs.export.charts import draw, query_series, time_labels
from awscli_cwlogs.export.common import WINDOW_ARGS, parse_window
from awscli_cwlogs.export.groups import GroupSource
from awscli_cwlogs.export.insights import LANGUAGES, QueryRunner, check_for_all, run_all
from awscli_cwlogs.export.progress import isatty
from awscli_cwlogs.export.rows import FORMATS, render
from awscli_cwlogs.limits import MAX_QUERY_GROUPS, MAX_QUERY_ROWS, QUERY_PAGE_ROWS

DEFAULT_WINDOW_S = 3600  # without --start-time: the last hour, as the console's default


class QueryCommand(LogsCommand):
    NAME = "query"
    DESCRIPTION = (
        "Runs a CloudWatch Logs Insights query over one or many log groups, in Logs Insights QL (the "
        "default), OpenSearch SQL or OpenSearch PPL: StartQuery, then GetQueryResults with backoff until "
        "it is done, and prints the rows. On a terminal a progress line shows records matched and "
        "scanned, bytes scanned, rows fetched and the time so far. Ctrl-C stops the query (StopQuery) and "
        "exits 130.\n\n"
        f"A Logs Insights QL query gives up to {MAX_QUERY_ROWS:,} rows, fetched in pages of "
        f"{QUERY_PAGE_ROWS:,} (a query without a limit of its own is sent with that limit); SQL and PPL "
        f"give up to {QUERY_PAGE_ROWS:,}. With ``--all`` a window whose rows reach that is continued from "
        "the second of its last row (or split in halves when the rows carry no @timestamp), and the parts "
        "are merged in order with no row twice; it says how many queries it ran.\n\n"
        "Exit status: 0 when the query completed; 252 for bad arguments; 255 for a service error or a "
        "query that ended Failed, Cancelled or Timeout; 130 on Ctrl-C.\n\n"
    )
    ARG_TABLE = [
        {"name": "query", "positional_arg": True, "synopsis": "QUERY",
         "help_text": "<p>The query, in the language of <code>--query-language</code>, e.g. "
                      "<code>'fields @timestamp, @message | filter @message like /ERROR/'</code>.</p>"},
        {"name": "query-language", "choices": list(LANGUAGES),
         "help_text": "<p><code>cwli</code> (Logs Insights QL, the default), <code>sql</code> (OpenSearch SQL: "
                      "the log groups are named in the query, <code>FROM `logGroups(logGroupIdentifier: "
                      "['app'])`</code>, not with the options) or <code>ppl</code> (OpenSearch PPL).</p>"},
        {"name": "log-group-names", "nargs": "+",
         "help_text": f"<p>The log groups (up to {MAX_QUERY_GROUPS}), separated by spaces.</p>"},
        {"name": "log-group-name-prefix",
         "help_text": "<p>Every log group whose name starts with this (DescribeLogGroups).</p>"},
        *WINDOW_ARGS,
        {"name": "format", "choices": list(FORMATS),
         "help_text": "<p>How the rows are printed: <code>table</code> (aligned columns, the default on a "
                      "terminal), <code>json</code> (one object per row, the default otherwise), "
                      "<code>csv</code> (with a header) or <code>text</code> (tab-separated values).</p>"},
        {"name": "chart", "action": "store_true", "cli_type_name": "boolean",
         "help_text": "<p>On a terminal, draw the rows instead of printing them: a query whose rows have a "
                      "<code>bin()</code> time column and numeric columns (<code>stats count(*) by bin(5m), "
                      "service</code>) becomes a chart sized to the terminal, bars for one series, lines for "
                      "several (one per <code>by</code> group, the four largest and then \"other\"). Piped, or "
                      "with <code>--format</code>, the rows are printed as without it.</p>"},
        {"name": "show-ptr", "action": "store_true", "cli_type_name": "boolean",
         "help_text": "<p>Also print <code>@ptr</code>, the service's pointer to each event.</p>"},
        {"name": "all", "action": "store_true", "cli_type_name": "boolean",
         "help_text": f"<p>Every row, also past the service's {MAX_QUERY_ROWS:,}: the window is split until "
                      "each part is under the cap. For queries that return events (not stats), with no "
                      "limit, sorted by @timestamp (the default) or not sorted.</p>"},
    ]
    EXAMPLES = (
        "Errors of the last hour in three groups::\n\n"
        "  aws logs query 'fields @timestamp, @log, @message | filter @message like /ERROR/' "
        "--log-group-names app web db\n\n"
        "Requests per five minutes of the last day, a line per service, drawn in the terminal::\n\n"
        "  aws logs query 'stats count(*) by bin(5m), service' --log-group-names app --start-time 1d --chart\n\n"
        "Every group of a service over a day, as CSV::\n\n"
        "  aws logs query 'stats count(*) by bin(1h)' --log-group-name-prefix /ecs/shop --start-time 1d "
        "--format csv\n\n"
        "All matching events of a week, past the 100,000 rows one query gives, oldest first::\n\n"
        "  aws logs query 'fields @timestamp, @message | sort @timestamp asc' --log-group-names app "
        "--start-time 7d --all --format json > week.jsonl\n\n"
        "The same errors in OpenSearch SQL (the groups in the query) and in PPL::\n\n"
        "  aws logs query \"SELECT \\`@timestamp\\`, \\`@message\\` FROM \\`logGroups(logGroupIdentifier: ['app'])\\` "
        "WHERE \\`@message\\` LIKE '%ERROR%'\" --query-language sql\n\n"
        "  aws logs query \"fields \\`@timestamp\\`, \\`@message\\` | where like(\\`@message\\`, '%ERROR%')\" "
        "--query-language ppl --log-group-names app\n"
    )

    def run(self, parsed_args, parsed_globals):
        names, prefix = parsed_args.log_group_names, parsed_args.log_group_name_prefix
        language = LANGUAGES[parsed_args.query_language or "cwli"]
        problem = language_problem(language, bool(names) or prefix is not None, parsed_args.all)
        if problem:
            raise UsageError(problem)
        if language != "SQL" and bool(names) == (prefix is not None):
            raise UsageError("give --log-group-names or --log-group-name-prefix (one of them)")
        problem, oldest_first = check_for_all(parsed_args.query) if parsed_args.all else (None, False)
        if problem:
            raise UsageError(problem)
        start_s, end_s = query_window(parsed_args)
        client = parse_json_quickly(create_logs_client(self._session, parsed_globals), "GetQueryResults")
        groups = GroupSource(client, names, prefix).current() if language != "SQL" else []
        if len(groups) > MAX_QUERY_GROUPS:
            raise UsageError(f"{len(groups)} log groups{' start with ' + repr(prefix) if prefix else ''}; one query "
                             f"takes at most {MAX_QUERY_GROUPS}: narrow the prefix or name the groups")
        progress = ProgressLine(sys.stderr) if isatty(sys.stderr) else None
        runner = QueryRunner(client, groups, parsed_args.query,
                             progress.show if progress else (lambda statistics, elapsed, rows: None),
                             self._stopper(parsed_globals), language=language)
        try:
            result = run_all(runner, start_s, end_s, oldest_first) if parsed_args.all else runner.run(start_s, end_s)
        finally:
            if progress:
                progress.finish()
        form = parsed_args.format or ("table" if isatty(sys.stdout) else "json")
        if parsed_args.chart and not parsed_args.format and isatty(sys.stdout):
            sys.stdout.write(chart(result.rows, parsed_args.query, shutil.get_terminal_size()))
        else:
            sys.stdout.write(render(result.rows, form, parsed_args.show_ptr))
        sys.stdout.flush()
        for line in cap_warnings(result, parsed_args.all, runner.cap):
            sys.stderr.write(f"aws logs query: {line}\n")
        return 0

    def _stopper(self, parsed_globals):
        """StopQuery on Ctrl-C, tried once: the person is waiting."""
        def stop(query_id):
            once = {"mode": "standard", "total_max_attempts": 1}
            create_logs_client(self._session, parsed_globals, retries=once).stop_query(queryId=query_id)
        return stop


def query_window(parsed_args, now=time.time):
    """(start, end) in epoch seconds, both inclusive, as StartQuery takes them; the end given is
    exclusive in milliseconds, as for pull and filter. Without --start-time: the last hour."""
    start_ms, end_ms = parse_window(parsed_args, now)
    end_s = (end_ms - 1) // 1000 if end_ms is not None else int(now())
    return (start_ms // 1000 if start_ms is not None else end_s - DEFAULT_WINDOW_S), end_s


def chart(rows, query, size):
    """The rows drawn, ``size`` the terminal's; UsageError naming what a chart needs and they lack."""
    times, series = query_series(rows)
    title = query if len(query) <= size.columns - 20 else query[:size.columns - 23] + "..."
    return draw(time_labels(times, utc=True), series, size.columns,
                max(min(size.lines - 4, 24), 10), f"{title}  (times in UTC)")


def language_problem(language, groups_given, everything):
    """Why the service would refuse this combination of language and options, or None."""
    if language == "SQL" and groups_given:
        return ("with --query-language sql the log groups are named in the query (FROM `logGroups(logGroupIdentifier: "
                "['app', 'web'])`): leave out --log-group-names and --log-group-name-prefix")
    if language != "CWLI" and everything:
        return (f"--all is for Logs Insights QL (cwli): SQL and PPL queries give up to {QUERY_PAGE_ROWS:,} rows, "
                "without pages")
    return None


def cap_warnings(result, everything, cap):
    """What to say on stderr about rows the service's cap may have left out, and what --all ran."""
    for second in result.crowded:
        when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(second))
        yield f"over {cap:,} rows within a second or two from {when}: only {cap:,} of them are printed"
    if everything:
        yield f"--all: {result.parts} {'query' if result.parts == 1 else 'queries'}, {len(result.rows):,} rows"
    elif len(result.rows) >= cap:
        yield f"{cap:,} rows, what one query gives: there may be more (--all gets every row)"


class ProgressLine:
    """One status line on a terminal, rewritten after each poll."""

    def __init__(self, stream):
        self._stream, self._shown = stream, False

    def show(self, statistics, elapsed, rows):
        self._stream.write(f"\r{statistics.records_matched:,.0f} records matched, {statistics.records_scanned:,.0f} "
                           f"scanned, {statistics.bytes_scanned / 1e6:,.1f} MB scanned, {rows:,} rows fetched, "
                           f"{elapsed:.1f} s")
        self._stream.flush()
        self._shown = True

    def finish(self):
        if self._shown:
            self._stream.write("\n")
            self._stream.flush()
