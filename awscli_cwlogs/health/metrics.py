"""The agent's own health, every ``metrics_interval``: per stream section, what was accepted,
rejected, filtered and retried, what is still to read, and the lag (how long the section has
not been caught up). As CloudWatch embedded-metric-format records (shipped to
``metrics_log_group`` through a pipeline of their own, so the same batching and retries) and as
a Prometheus text file for node_exporter's textfile collector.

Counts are per interval in the records (the embedded-metric-format convention: CloudWatch's Sum
over a period is the count for it) and cumulative ``_total`` counters in the text file,
monotonic across reloads (a section's counts carry over when its pipeline is replaced).
"""
import json
import logging
import os
import tempfile
import time

from awscli_cwlogs.kvstore import REJECTED, accepted_events, billable_bytes

LOG = logging.getLogger("awscli_cwlogs")
COUNTERS = (  # figure -> (metric name, unit); bytes: the accepted events' message bytes
    ("events_accepted", "EventsAccepted", "Count"), ("bytes_sent", "BytesAccepted", "Bytes"),
    ("billable_bytes", "BillableBytes", "Bytes"),  # what CloudWatch meters: message bytes + 26 per event
    ("too_old", "EventsTooOld", "Count"), ("too_new", "EventsTooNew", "Count"),
    ("expired", "EventsExpired", "Count"), ("filtered", "EventsFiltered", "Count"),
    ("retries", "Retries", "Count"), ("failed_requests", "FailedRequests", "Count"),
    ("split", "EventsSplit", "Count"),  # lines or entries over the size limit, sent as parts
    ("not_json", "LinesNotJson", "Count"),  # log_format = json: lines sent as text
    ("masked", "ValuesMasked", "Count"),  # values the section's masks replaced (never the values)
)
GAUGES = (("bytes_behind", "BytesBehind", "Bytes"), ("lag", "LagSeconds", "Seconds"))


class Figures:
    """Cumulative counts per section, kept across reloads, and the lag of each section (measured on
    the monotonic clock: a step of the wall clock is no lag)."""

    def __init__(self, kinds, clock=time.monotonic):
        """``kinds``: the SourceKinds by name, which survey their files for the bytes behind."""
        self._kinds = kinds
        self._clock = clock
        self._retired = {}  # section -> {field: count} of its replaced pipelines
        self._behind_since = {}  # section -> when it was last seen caught up, while it is not

    def retire(self, pipeline):
        """A pipeline stopped by a reload: its counts carry over to the section's next one."""
        totals = self._retired.setdefault(pipeline.stream.section, {})
        for field, value in _counts(pipeline).items():
            totals[field] = totals.get(field, 0) + value

    def sample(self, pipelines, store):
        """{section: {field: value}}: the counters (cumulative) and the gauges, now."""
        now = self._clock()
        sampled = {}
        for pipeline in pipelines:
            section = pipeline.stream.section
            base = self._retired.get(section, {})
            values = {field: base.get(field, 0) + value for field, value in _counts(pipeline).items()}
            behind = bytes_behind(pipeline.stream, store, self._kinds, pipeline.source)
            pending = behind > 0 or pipeline.holds_events()
            since = self._behind_since.setdefault(section, now) if pending else self._behind_since.pop(section, None)
            values["bytes_behind"] = behind
            values["lag"] = round(now - since, 3) if pending else 0
            sampled[section] = values
        return sampled


def _counts(pipeline):
    stats = pipeline.publisher.stats
    derived = ("events_accepted", "billable_bytes", "split", "not_json", "masked")
    counts = {field: getattr(stats, field) for field, _, _ in COUNTERS if field not in derived}
    sent = {"events_sent": stats.events_sent, "message_bytes": stats.bytes_sent,
            **{name: getattr(stats, name) for name in REJECTED}}  # as the state file counts them
    counts["events_accepted"], counts["billable_bytes"] = accepted_events(sent), billable_bytes(sent)
    spec = getattr(pipeline.source, "spec", None)
    counts["split"] = spec.counts.get("split", 0) if spec is not None else 0
    shaper = getattr(pipeline, "shaper", None)
    counts["not_json"] = shaper.counts.get("not_json", 0) if shaper is not None else 0
    counts["masked"] = shaper.masked if shaper is not None else 0
    return counts


def bytes_behind(stream, store, kinds, source=None):
    """Bytes of the section's files not accepted yet (the state file's offsets); 0 for sources
    that are not files (the journal, stdin). A running file source says it from what it follows
    (no survey of the disk: the cost of 1,000 files); else the files are surveyed, as --status does."""
    kind = kinds.get(stream.source)
    if kind is None or store is None:
        return 0
    positions = store.positions(stream.log_group_name, stream.log_stream_name)
    if hasattr(source, "bytes_behind"):
        return source.bytes_behind(positions, {position.path: position for position in positions.values()})
    return sum(state.behind for _, states in kind.survey(stream, positions) for state in states)


def emf_records(sampled, previous, host, namespace, now_ms):
    """One embedded-metric-format document (as text) per section: counts since ``previous``."""
    records = []
    for section, values in sampled.items():
        before = previous.get(section, {})
        metrics = [{"Name": name, "Unit": unit} for _, name, unit in COUNTERS + GAUGES]
        document = {
            "_aws": {"Timestamp": now_ms, "CloudWatchMetrics": [
                {"Namespace": namespace, "Dimensions": [["Host", "Section"]], "Metrics": metrics}]},
            "Host": host, "Section": section,
        }
        for field, name, _ in COUNTERS:
            document[name] = max(values[field] - before.get(field, 0), 0)
        for field, name, _ in GAUGES:
            document[name] = values[field]
        records.append(json.dumps(document, separators=(",", ":")))
    return records


AGENT_FIGURES = {  # the agent's own, per host: name -> (unit, Prometheus type, help)
    "StateWriteFailures": ("Count", "counter", "failed writes of the agent's state file (it ships on from memory)"),
    "ConfigVersion": ("None", "gauge", "sum of the versions of the SSM parameters the running configuration is of"),
    "ConfigFetchFailures": ("Count", "counter", "failed fetches of the configuration's SSM parameters"),
}


def agent_values(state, config):
    """The agent's own figures (cumulative): failed writes of its state file (``state``: the
    StateStore) and, for a configuration from SSM (``config``: its FetchRecord), the sum of its
    parameters' versions (hosts on the same parameters show the same sum) and failed fetches."""
    values = {"StateWriteFailures": state.write_failures if state is not None else 0}
    if config is not None:
        values.update(ConfigVersion=config.version_sum(), ConfigFetchFailures=config.failures)
    return values


def agent_emf(values, before, host, namespace, now_ms):
    """The agent's record (per host): counts since ``before``, gauges as they are."""
    document = {
        "_aws": {"Timestamp": now_ms, "CloudWatchMetrics": [{
            "Namespace": namespace, "Dimensions": [["Host"]],
            "Metrics": [{"Name": name, "Unit": AGENT_FIGURES[name][0]} for name in values]}]},
        "Host": host,
    }
    for name, value in values.items():
        document[name] = max(value - before.get(name, 0), 0) if AGENT_FIGURES[name][1] == "counter" else value
    return json.dumps(document, separators=(",", ":"))


def agent_prometheus(values, host):
    lines = []
    for name, value in values.items():
        _, kind, text = AGENT_FIGURES[name]
        metric = "awslogs_push_" + _snake(name) + ("_total" if kind == "counter" else "")
        lines += [f"# HELP {metric} {text}", f"# TYPE {metric} {kind}", f'{metric}{{host="{_label(host)}"}} {value}']
    return "\n".join(lines) + "\n"


def prometheus_text(sampled, host):
    """The figures in Prometheus' text exposition format: counters ``_total``, gauges as they are."""
    lines = []
    kinds = [(field, name, "counter") for field, name, _ in COUNTERS] + [(field, name, "gauge") for field, name, _ in GAUGES]
    for field, name, kind in kinds:
        metric = "awslogs_push_" + _snake(name) + ("_total" if kind == "counter" else "")
        lines += [f"# HELP {metric} {name} of a stream section of aws logs push", f"# TYPE {metric} {kind}"]
        for section, values in sorted(sampled.items()):
            lines.append(f'{metric}{{host="{_label(host)}",section="{_label(section)}"}} {values[field]}')
    return "\n".join(lines) + "\n"


def write_atomically(path, text):
    """The file replaced in one rename, so a reader never sees half of it."""
    folder = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(prefix=".awslogs-metrics-", dir=folder)
    try:
        with os.fdopen(handle, "w") as out:
            out.write(text)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def _snake(name):
    return "".join("_" + c.lower() if c.isupper() and i else c.lower() for i, c in enumerate(name))


def _label(value):
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


class MetricsSource:
    """A source for the agent's own pipeline of metrics: every ``interval`` seconds, the
    figures of the running sections (``sample()``) as one embedded-metric-format event each, and
    the Prometheus text file rewritten. Nothing of it is saved in the state file."""

    busy = False
    exhausted = False
    file_name = "metrics"

    def __init__(self, sample, host, namespace, interval, ship=True, textfile=None, host_metrics=None,
                 state=None, config=None, clock=time.time, monotonic=time.monotonic):
        self._sample, self._host, self._namespace, self._interval = sample, host, namespace, interval
        self._host_metrics = host_metrics  # a HostMetrics, or None
        self._state, self._config = state, config  # the StateStore; a FetchRecord (config/refresh.py), or None
        self._agent_before = {}
        self._ship, self._textfile = ship, textfile
        self._clock, self._monotonic = clock, monotonic
        self._next = monotonic() + interval
        self._previous = {}
        self._warned = False

    def poll(self, budget):
        if self._monotonic() < self._next:
            return []
        self._next = self._monotonic() + self._interval
        sampled = self._sample()
        agent = agent_values(self._state, self._config)
        if self._textfile:
            try:
                write_atomically(self._textfile, prometheus_text(sampled, self._host) + agent_prometheus(agent, self._host))
            except OSError as error:
                if not self._warned:
                    self._warned = True
                    LOG.warning("cannot write metrics_textfile %s: %s; will retry", self._textfile, error.strerror)
        if not self._ship:
            return []
        now_ms = int(self._clock() * 1000)
        records = emf_records(sampled, self._previous, self._host, self._namespace, now_ms)
        if self._host_metrics is not None:
            records += self._host_metrics.sample(now_ms)
        records.append(agent_emf(agent, self._agent_before, self._host, self._namespace, now_ms))
        self._agent_before = agent
        events = [(now_ms, text, len(text.encode("utf-8")), None) for text in records]
        self._previous = sampled
        return [(None, self, events)] if events else []

    def state_row(self, position):
        return None

    def keys(self):
        return set()

    def flush_pending(self):
        return []

    def close(self):
        pass
