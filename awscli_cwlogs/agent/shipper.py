"""What ``aws logs push`` does once its arguments are checked: the agent (config file) or
stdin mode, --check and --status. Imported only when push runs, so that ``aws logs pull`` and
``filter`` do not pay for the agent's modules at start-up."""
import logging
import logging.config
import os
import signal
import socket
import sqlite3
import sys

from awscli_cwlogs.agent.accounts import Clients, unknown_profiles
from awscli_cwlogs.agent.events import event_filter, event_spec
from awscli_cwlogs.agent.hostinfo import HostInfo
from awscli_cwlogs.agent.names import check_name, expand
from awscli_cwlogs.agent.pipeline import Pipeline, run_agent
from awscli_cwlogs.agent.publisher import PrintingPublisher, Publisher, install_body_hook
from awscli_cwlogs.cli import CommandError, UsageError, create_logs_client
from awscli_cwlogs.config import settings
from awscli_cwlogs.config.settings import ConfigError, StreamConfig, load_config
from awscli_cwlogs.health.host import HostMetrics
from awscli_cwlogs.health.metrics import Figures, MetricsSource
from awscli_cwlogs.kvstore import StateStore
from awscli_cwlogs.report.check import check_report
from awscli_cwlogs.report.status import render_json, render_text, status_report
from awscli_cwlogs.sources import open_source
from awscli_cwlogs.sources.stdin import StdinSource

LOG = logging.getLogger("awscli_cwlogs")
STDIN_OPTIONS = ("log_group_name", "log_stream_name", "datetime_format", "time_zone", "encoding",
                 "buffer_duration", "batch_count", "batch_size", "multi_line_start_pattern")


class Shipper:
    """The agent's wiring for one `aws logs push`: sessions, clients, pipelines, reloads."""

    def __init__(self, session, redactor=None):
        self._session = session
        self.redactor = redactor

    def run_files(self, args, parsed_globals, lifecycle):
        given = [f"--{name.replace('_', '-')}" for name in STDIN_OPTIONS if getattr(args, name) is not None]
        if given:
            raise UsageError(f"{given[0]} is for stdin mode; with --config-file set it in the config file")
        try:
            agent_config = self._load(args)
        except ConfigError as error:
            raise CommandError(str(error)) from None
        if args.check or args.status:
            return self._report(agent_config, args)
        setup_logging(agent_config.general.logging_config_file, parsed_globals, self.redactor)
        store = None if args.dry_run else self._open_store(agent_config.general.state_file)
        clients = None if args.dry_run else self._clients(parsed_globals, len(agent_config.streams))
        build = lambda stream: self._file_pipeline(  # noqa: E731
            stream, agent_config.general, clients.for_stream(stream) if clients else None, store, lifecycle, args.dry_run)
        running = [build(stream) for stream in agent_config.streams]
        LOG.info("shipping %d stream section(s); state file %s", len(running),
                 agent_config.general.state_file if store else "(none: dry run)")
        figures = Figures()
        extras = [] if args.dry_run else self._metrics_pipelines(agent_config.general, figures, running,
                                                                clients.default, store, lifecycle)

        def reload(pipelines):
            running[:] = self._reload(running, args, agent_config.general, build, figures.retire)
            return running + extras
        install_signal_handlers(lifecycle, reload=True)
        try:
            run_agent(running + extras, lifecycle, reload)
        finally:
            for pipeline in running:
                if store:
                    store.prune(pipeline.stream.log_group_name, pipeline.stream.log_stream_name,
                                pipeline.source.keys())
                pipeline.source.close()
            if store:
                store.close()
        return 0

    def _file_pipeline(self, stream, general, client, store, lifecycle, dry_run):
        group, name = stream.log_group_name, stream.log_stream_name
        saved = store.positions(group, name) if store else {}
        has_state = store.has_state(group, name) if store else False
        source = open_source(stream, saved, has_state)
        return self._pipeline(stream, source, client, store, lifecycle.child(), dry_run, general.queue_size,
                              general.use_gzip_http_content_encoding)

    def _metrics_pipelines(self, general, figures, running, client, store, lifecycle):
        """The agent's own metrics (metrics.py): a pipeline of their own to metrics_log_group (one
        stream per host) and/or the Prometheus text file; none when neither is configured."""
        if not (general.metrics_log_group or general.metrics_textfile):
            return []
        host = socket.gethostname()
        host_metrics = HostMetrics(general.host_metrics, general.disk_paths, host, general.metrics_namespace) \
            if general.host_metrics else None
        source = MetricsSource(lambda: figures.sample(running, store), host, general.metrics_namespace,
                               general.metrics_interval, ship=bool(general.metrics_log_group),
                               textfile=general.metrics_textfile, host_metrics=host_metrics)
        stream = StreamConfig(section="agent metrics", log_group_name=general.metrics_log_group or "unused",
                              log_stream_name=expand("{host}", {"host": host}, ""), buffer_duration=1000)
        child = lifecycle.child()
        publisher = Publisher(client, stream, None, child, use_gzip=general.use_gzip_http_content_encoding)
        return [Pipeline(stream, source, publisher, 1000, lifecycle=child)]  # 1000 intervals queued in an outage

    def _reload(self, pipelines, args, general, build, retire=lambda pipeline: None):
        """SIGHUP: the config is read again; added sections start, removed ones stop after sending
        what their files hold, changed ones do both. A config with a problem changes nothing."""
        try:
            fresh = self._load(args)
        except ConfigError as error:
            LOG.error("reload refused, the running configuration stays: %s", error)
            return pipelines
        if fresh.general != general:
            LOG.warning("reload: changes to [general] take effect at the next start")
        wanted = {stream.section: stream for stream in fresh.streams}
        kept = [p for p in pipelines if wanted.get(p.stream.section) == p.stream]
        for pipeline in pipelines:
            if pipeline not in kept:
                pipeline.stop()
                retire(pipeline)  # its counts carry over to the section's next pipeline
        running = {p.stream.section for p in kept}
        started = [build(stream) for stream in fresh.streams if stream.section not in running]
        for pipeline in started:
            pipeline.thread.start()
        LOG.info("reloaded %s: %d section(s) kept, %d stopped, %d started", args.config_file, len(kept),
                 len(pipelines) - len(kept), len(started))
        return kept + started

    def _load(self, args):
        agent_config = load_config(args.config_file, args.additional_configs_dir, HostInfo(self._session))
        unknown = unknown_profiles(agent_config.streams, self._session.available_profiles)
        if unknown:
            raise ConfigError(unknown[0])
        return agent_config

    def _report(self, agent_config, args):
        """--check or --status: reads the state file if there is one, never writes it."""
        path = agent_config.general.state_file
        try:
            store = StateStore(path, read_only=True) if os.path.exists(path) else None
        except sqlite3.Error as error:
            raise CommandError(f"state file {path}: cannot read it: {error}") from None
        try:
            if args.status:
                report = status_report(agent_config, store)
                sys.stdout.write(render_json(report) if args.json else render_text(report))
                return 0
            text, problems = check_report(agent_config, store)
            sys.stdout.write(text)
            return 1 if problems else 0
        finally:
            if store:
                store.close()

    def run_stdin(self, args, parsed_globals, lifecycle):
        stream = stdin_stream(args)
        setup_logging(None, parsed_globals, self.redactor)
        client = None if args.dry_run else self._client(parsed_globals, 1)
        source = StdinSource(event_spec(stream), sys.stdin.fileno())
        pipeline = self._pipeline(stream, source, client, None, lifecycle.child(), args.dry_run,
                                  settings.GeneralConfig.queue_size, use_gzip=True)
        install_signal_handlers(lifecycle)
        delivered = run_agent([pipeline], lifecycle)
        stats = pipeline.publisher.stats
        if not delivered or stats.undelivered:
            raise CommandError(f"{stats.undelivered or 'some'} events could not be delivered to "
                               f"{stream.log_group_name}/{stream.log_stream_name}: {stats.last_error or 'stopped'}")
        return 0

    def _pipeline(self, stream, source, client, store, lifecycle, dry_run, queue_size, use_gzip):
        if dry_run:
            publisher = PrintingPublisher(stream, lifecycle, sys.stdout.buffer)
        else:
            publisher = Publisher(client, stream, store, lifecycle, give_up_on_permanent=store is None,
                                  use_gzip=use_gzip)
        return Pipeline(stream, source, publisher, queue_size, keep=event_filter(stream), lifecycle=lifecycle)

    def _client(self, parsed_globals, streams, session=None, **where):
        client = create_logs_client(
            session or self._session, parsed_globals, where=where,
            retries={"mode": "standard", "max_attempts": 3},  # quick retries; the publisher retries on forever
            parameter_validation=False,  # batches are built to the service's rules
            max_pool_connections=max(10, streams),
        )
        install_body_hook(client)
        return client

    def _clients(self, parsed_globals, streams):
        """The Logs client of each section's credentials (accounts.py)."""
        return Clients(self._session, self._client(parsed_globals, streams),
                       lambda session, **where: self._client(parsed_globals, streams, session, **where))

    def _open_store(self, path):
        try:
            return StateStore(path)
        except OSError as error:
            raise CommandError(f"state file {path}: {error.strerror or error}") from None


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
            values[name] = check_name(name, settings.STREAM_KEYS[name](str(value)))
        except ValueError as error:
            raise UsageError(f"--{name.replace('_', '-')}: {error}") from None
    if values.get("multi_line_start_pattern") == settings.DATETIME_FORMAT_PATTERN and "datetime_format" not in values:
        raise UsageError("--multi-line-start-pattern {datetime_format} needs --datetime-format")
    return StreamConfig(**values)


def setup_logging(logging_config_file, parsed_globals, redactor=None):
    if logging_config_file:
        try:
            logging.config.fileConfig(logging_config_file, disable_existing_loggers=False)
        except Exception as error:  # any problem in the file: say so, and log to stderr
            raise CommandError(f"{logging_config_file}: not a usable logging config: {error}") from None
        if redactor is not None:
            for logger in (logging.getLogger(), LOG):
                for handler in logger.handlers:
                    handler.addFilter(redactor)
        return
    if LOG.handlers:
        return
    handler = logging.StreamHandler(sys.stderr)
    if redactor is not None:
        handler.addFilter(redactor)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    LOG.addHandler(handler)
    LOG.setLevel(logging.DEBUG if getattr(parsed_globals, "debug", False) else logging.INFO)
    LOG.propagate = False


def install_signal_handlers(lifecycle, reload=False):
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: lifecycle.request_stop())
    if reload:
        signal.signal(signal.SIGHUP, lambda *_: lifecycle.request_reload())
