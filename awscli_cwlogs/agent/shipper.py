"""The agent's wiring for one ``aws logs push --config-file``: the config, the state file,
the clients, a pipeline per stream section (and one for the agent's own metrics), reloads.
Imported only when push runs, so that ``aws logs pull`` and ``filter`` do not pay for it."""
import logging
import socket
from dataclasses import replace

from awscli_cwlogs.cloudwatch.clients import section_clients
from awscli_cwlogs.config.names import expand
from awscli_cwlogs.agent.pipeline import Pipeline, build_pipeline, run_agent
from awscli_cwlogs.agent.process import limit_files, raise_open_file_limit, setup_logging
from awscli_cwlogs.cloudwatch.publisher import Publisher
from awscli_cwlogs.cli import CommandError
from awscli_cwlogs.config.settings import ConfigError, StreamConfig
from awscli_cwlogs.health.host import HostMetrics
from awscli_cwlogs.health.metrics import Figures, MetricsSource
from awscli_cwlogs.kvstore import StateStore
from awscli_cwlogs.sources.kinds import KINDS, kind_of, open_source
from awscli_cwlogs.sources.tail import openfiles
from awscli_cwlogs.statefile import Unreadable
from awscli_cwlogs.statelock import StateFileBusy, StateLock
from awscli_cwlogs.timefmt import iso_millis

LOG = logging.getLogger("awscli_cwlogs")


class Shipper:
    """Runs the agent until it is stopped; SIGHUP reloads the config."""

    def __init__(self, session, args, parsed_globals, lifecycle, configuration, redactor=None):
        self._session, self._args, self._globals = session, args, parsed_globals
        self._lifecycle = lifecycle
        self._configuration = configuration  # config/configuration.py: where it comes from, reloads
        self.redactor = redactor

    def run(self, agent_config, held_log):
        general, dry_run = agent_config.general, self._args.dry_run
        held_log.detach()
        setup_logging(general.logging_config_file, self._globals, self.redactor)
        held_log.replay()
        lock, store = (None, None) if dry_run else self._open_state(general.state_file, agent_config.streams)
        limit_files(general.max_open_files, raise_open_file_limit())
        if store:
            store.set_waiting({})  # what a run killed before left
            openfiles.FILES.report = store.set_waiting
            self._configuration.record.attach(store)
        clients = None if dry_run else section_clients(self._session, self._globals, len(agent_config.streams))
        build = lambda stream: self._section_pipeline(stream, general, clients, store)  # noqa: E731
        running = [build(stream) for stream in agent_config.streams]
        LOG.info("shipping %d stream section(s); state file %s", len(running),
                 general.state_file if store else "(none: dry run)")
        figures = Figures(KINDS)
        extras = [] if dry_run else self._metrics_pipelines(general, figures, running, clients.default, store)

        watcher = self._configuration.watcher(general.config_refresh, self._lifecycle.request_reload)

        def reload(pipelines):
            fetched = watcher.take() if watcher else self._configuration.fetch()
            if fetched is None:  # SIGHUP: the parameters are fetched first; the watcher asks again then
                watcher.fetch_now()
            else:
                running[:] = self._reload(running, general, build, fetched, figures.retire, watcher)
            return running + extras
        try:
            run_agent(running + extras, self._lifecycle, reload)
        finally:
            if watcher:
                watcher.stop()
            self._configuration.record.attach(None)
            for pipeline in running:
                if store:
                    store.prune(pipeline.stream.log_group_name, pipeline.stream.log_stream_name,
                                pipeline.source.keys())
                pipeline.source.close()
            if store:
                openfiles.FILES.report = None
                store.set_waiting({})
                store.close()
                lock.release()
        return 0

    def _open_state(self, path, streams):
        """The state file's lock (one agent per state file, taken before any file is read), then
        the state. A damaged state file was set aside: the WARNING says what starting without it
        sends again."""
        lock = StateLock(path)
        try:
            lock.acquire(getattr(self._args, "wait_for_state_lock", None) or 0)
        except StateFileBusy as busy:
            raise CommandError(str(busy)) from None
        retry_cap_s = min((stream.buffer_duration for stream in streams), default=5000) / 1000
        try:
            store = StateStore(path, retry_cap_s=retry_cap_s, lock=lock)
        except Unreadable as error:
            lock.release()
            raise CommandError(str(error)) from None
        if store.resumed_from:
            copy, written = store.resumed_from
            LOG.warning("state file %s %s; resumed from %s, the copy of the last clean stop (%s): what an agent "
                        "accepted after that stop, if one ran and did not stop cleanly, is sent again", path,
                        store.set_aside, copy, iso_millis(int(written * 1000)))
        elif store.set_aside:
            LOG.warning("state file %s %s; starting without state: %s", path, store.set_aside,
                        "; ".join(without_state(stream) for stream in streams))
        return lock, store

    def _section_pipeline(self, stream, general, clients, store):
        group, name = stream.log_group_name, stream.log_stream_name
        saved = store.positions(group, name) if store else {}
        source = open_source(stream, saved, store.has_state(group, name) if store else False)
        return build_pipeline(stream, source, self._lifecycle.child(),
                              client=clients.for_stream(stream) if clients else None, store=store,
                              dry_run=self._args.dry_run, queue_size=general.queue_size,
                              use_gzip=general.use_gzip_http_content_encoding,
                              per_origin=kind_of(stream).routes_per_origin)

    def _metrics_pipelines(self, general, figures, running, client, store):
        """The agent's own metrics (metrics.py): a pipeline of their own to metrics_log_group (one
        stream per host) and/or the Prometheus text file; none when neither is configured."""
        if not (general.metrics_log_group or general.metrics_textfile):
            return []
        host = socket.gethostname()
        host_metrics = HostMetrics(general.host_metrics, general.disk_paths, host, general.metrics_namespace) \
            if general.host_metrics else None
        source = MetricsSource(lambda: figures.sample(running, store), host, general.metrics_namespace,
                               general.metrics_interval, ship=bool(general.metrics_log_group),
                               textfile=general.metrics_textfile, host_metrics=host_metrics,
                               state=store,
                               config=self._configuration.record if self._configuration.origin.uses_ssm else None)
        stream = StreamConfig(section="agent metrics", log_group_name=general.metrics_log_group or "unused",
                              log_stream_name=expand("{host}", {"host": host}, ""), buffer_duration=1000)
        child = self._lifecycle.child()
        publisher = Publisher(client, stream, None, child, use_gzip=general.use_gzip_http_content_encoding)
        return [Pipeline(stream, source, publisher, 1000, lifecycle=child)]  # 1000 intervals queued in an outage

    def _reload(self, pipelines, general, build, fetched, retire, watcher):
        """SIGHUP or changed parameters: added sections start, removed ones stop after sending what
        their files hold, changed ones do both. A configuration with a problem changes nothing."""
        configuration = self._configuration
        try:
            fresh = configuration.load(fetched)
        except ConfigError as error:
            LOG.error("reload refused, the running configuration stays: %s", error)
            return pipelines
        if replace(fresh.general, config_refresh=general.config_refresh) != general:
            LOG.warning("reload: changes to [general] take effect at the next start")
        if watcher and fresh.general.config_refresh != watcher.interval:
            watcher.interval = fresh.general.config_refresh
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
        configuration.applied(fetched)
        versions = f" ({fetched.describe()})" if configuration.origin.uses_ssm else ""
        LOG.info("reloaded %s%s: %d section(s) kept, %d stopped, %d started", configuration.origin.describe(),
                 versions, len(kept), len(pipelines) - len(kept), len(started))
        return kept + started


def without_state(stream):
    """What a section reads when it starts without state, for the WARNING."""
    if stream.initial_position == "end_of_file":
        return (f"[{stream.section}] starts at the end (initial_position = end_of_file): what was written while "
                "the agent was stopped is not sent")
    files = [state for _, states in kind_of(stream).survey(stream, {}) for state in states]
    if not files:
        return f"[{stream.section}] reads again from the oldest entry its source holds: what was sent before is sent again"
    return (f"[{stream.section}] reads {len(files):,} file(s) again from their start ({sum(f.size for f in files):,} "
            "bytes): what was sent before is sent again")
