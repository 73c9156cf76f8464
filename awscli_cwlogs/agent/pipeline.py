"""Wires the stages: a source (files, the journal, stdin) -> events -> batcher -> bounded queue -> publisher.

One loop reads every source in turn; each stream has its own publisher thread. When a
stream's queue is full its source is not read (backpressure), so memory stays flat.
"""
import logging
import queue
import sys
import threading
import time

from awscli_cwlogs.cloudwatch.batch import Batch, Batcher, BodyFormat
from awscli_cwlogs.lines.events import event_filter, event_limit
from awscli_cwlogs.config.names import record_placeholders
from awscli_cwlogs.lines.records import NameFields
from awscli_cwlogs.lines.shaping import Shaper
from awscli_cwlogs.cloudwatch.recordroutes import RecordRoutes, routed_offsets
from awscli_cwlogs.agent.records import RecordDispatch
from awscli_cwlogs.cloudwatch.publisher import PrintingPublisher, Publisher
from awscli_cwlogs.cloudwatch.routing import Router
from awscli_cwlogs.agent.runtime import settle_process

LOG = logging.getLogger("awscli_cwlogs")
READ_BUDGET = 256 << 10  # bytes per file per round: transient copies of it stay small
IDLE_POLL_S = 0.25


class Pipeline:
    """One stream section: its source, a batcher per destination (one, unless the names use
    {file_name} or {date}), its queue and publisher thread. ``per_origin``: each origin of the
    source may have names of its own (its kind's routes_per_origin: containers)."""

    def __init__(self, stream, source, publisher, queue_size, keep=None, lifecycle=None, per_origin=False,
                 shaper=None, records=None):
        """``records``: (the {json:...} placeholders' defaults, RecordRoutes) when the section's
        records pick their destination."""
        self.stream = stream
        self.source = source
        self.lifecycle = lifecycle  # the publisher's, for stopping this pipeline alone
        self.keep = keep  # include/exclude patterns: message -> bool
        self.shaper = shaper  # JSON lines' time and fields, masks: events -> the events sent
        defaults, routes = records or (None, None)
        self.router = Router(stream.log_group_name, stream.log_stream_name, per_origin=per_origin,
                             record_defaults=defaults, max_destinations=stream.max_destinations, section=stream.section)
        self.dispatch = RecordDispatch(self.router, routes, self._batcher) if records else None
        self._use_gzip = publisher.body_format.compressed
        self._batchers = {}  # (group, stream) -> Batcher
        self._routes = {}  # source key -> the destination of its last event
        self.queue = queue.Queue(maxsize=queue_size)
        self.publisher = publisher
        self.ready = []  # batches waiting for room in the queue
        self._caught_up = False
        self.thread = threading.Thread(target=publisher.run, args=(self.queue,), name=f"publish-{stream.section}", daemon=True)
        if lifecycle is not None and hasattr(source, "wake"):
            source.wake = lifecycle.wakeup.set  # a source fed by a thread of its own wakes the idle loop

    def step(self):
        """Reads what it can without blocking; True if it read anything."""
        self._offer()
        if self.ready:
            return False  # the queue is full: reading pauses
        read = False
        for key, source, events in self.source.poll(READ_BUDGET):
            self._add(key, source, events)
            read = True
        catching_up = not self._caught_up and not self.source.busy
        for destination, batcher in list(self._batchers.items()):
            due = batcher.due()
            if due is None and catching_up and len(batcher):
                due = batcher.drain()  # what was there at start goes out now, not a buffer later
                self._caught_up = True
            if due is not None:
                self.ready.append(due)
        self._forget_gone_origins()
        if self.router.static is None:
            self._forget_idle_destinations()
        self._offer()
        return read or self.source.busy

    def _add(self, key, source, events):
        kept = events if self.keep is None else [event for event in events if self.keep(event[1])]
        left_out = len(events) - len(kept)
        marked = False
        if self.shaper is not None and kept:
            kept = self.shaper.shape(key, kept)
            marked = self.shaper.marked
        values = getattr(source, "name_values", None) or {"file_name": getattr(source, "file_name", "stdin")}
        if self.dispatch is not None:
            if kept:
                self.ready += self.dispatch.add(key, source, kept, self.shaper.records, marked, values)
            if left_out:
                self.dispatch.passed(key, events[-1][3])
            return
        for destination, run in self.router.runs(values, kept):
            last = self._routes.get(key)
            if last is not None and last != destination and not self._batchers[last].empty:
                # a file's events must be accepted in order, or a saved offset could pass unsent events
                self.ready.append(self._batchers[last].drain())
            self._routes[key] = destination
            self.ready += self._batcher(destination).add(run, key, source, marked)
        if left_out:
            destination = self._routes.get(key) or self.router.destination(values, events[-1][0])
            self._routes[key] = destination
            self._batcher(destination).skip(left_out, key, source, events[-1][3])

    def holds_events(self):
        """Whether events read are not accepted yet: in a batcher, the queue, or being sent."""
        return bool(self.ready or self.queue.qsize() or self.publisher.stats.in_flight
                    or any(not batcher.empty for batcher in self._batchers.values()))

    def _forget_gone_origins(self):
        """A source's origins that are gone for good (removed containers): their positions are
        dropped by a batch queued after every event read from them."""
        gone = self.source.take_gone() if hasattr(self.source, "take_gone") else ()
        if gone:
            self.ready += [batch for batch in (b.drain() for b in self._batchers.values()) if batch is not None]
            self.ready.append(Batch(b"", self._use_gzip, 0, 0, forget=tuple(gone)))

    def _forget_idle_destinations(self):
        """Drops empty batchers (yesterday's stream, a file gone) and routes that no longer bind."""
        for key, destination in list(self._routes.items()):
            if self._batchers[destination].empty:
                del self._routes[key]
        for destination, batcher in list(self._batchers.items()):
            if batcher.empty:
                del self._batchers[destination]

    def _batcher(self, destination):
        batcher = self._batchers.get(destination)
        if batcher is None:
            stream = self.stream
            batcher = self._batchers[destination] = Batcher(stream.batch_count, stream.batch_size,
                                                            stream.buffer_duration, BodyFormat(*destination, self._use_gzip))
        return batcher

    def _offer(self):
        while self.ready:
            try:
                self.queue.put_nowait(self.ready[0])
            except queue.Full:
                return
            self.ready.pop(0)

    def finish(self, lifecycle):
        """Queues what is buffered, then the end marker, waiting no longer than the deadline."""
        for batcher in self._batchers.values():
            last = batcher.drain()
            if last is not None:
                self.ready.append(last)
        for item in self.ready + [None]:
            while True:
                try:
                    self.queue.put(item, timeout=0.2)
                    break
                except queue.Full:
                    if lifecycle.expired():
                        return
        self.ready = []


    def stop(self):
        """Alone, while the others run (a section removed or changed on reload): reads what its
        files hold now and sends it, within the shutdown timeout; then closes its files."""
        self.lifecycle.request_stop()
        while not self.lifecycle.expired() and (self.step() or self.ready):
            if self.ready:
                time.sleep(0.05)  # the queue is full: wait for the publisher
        for key, source, events in self.source.flush_pending():
            self._add(key, source, events)
        self.finish(self.lifecycle)
        while self.thread.is_alive() and not self.lifecycle.expired():
            self.thread.join(0.2)
        self.source.close()


def build_pipeline(stream, source, lifecycle, *, client, store, dry_run, queue_size, use_gzip, per_origin=False):
    """A stream section's pipeline: its publisher (printing, with --dry-run) and its filter.
    ``client``: the section's Logs client; ``store``: the StateStore (None: stdin mode, which
    gives up on a permanent error); ``queue_size`` and ``use_gzip``: [general]'s."""
    if dry_run:
        publisher = PrintingPublisher(stream, lifecycle, sys.stdout.buffer)
    else:
        publisher = Publisher(client, stream, store, lifecycle, give_up_on_permanent=store is None, use_gzip=use_gzip)
    names = record_placeholders(stream.log_group_name, stream.log_stream_name)
    shaper, records = None, None
    if not stream.record.plain:
        shaper = Shaper(stream.record, getattr(stream.options, "lines", None), event_limit(stream.batch_size), names)
    if names:
        rows = store.positions(stream.log_group_name, stream.log_stream_name, routed=True) if store else {}
        records = (NameFields(names).defaults(), RecordRoutes(routed_offsets(rows)))
    return Pipeline(stream, source, publisher, queue_size, keep=event_filter(stream), lifecycle=lifecycle,
                    per_origin=per_origin, shaper=shaper, records=records)


def run_agent(pipelines, lifecycle, reload=None):
    """Runs until every source is exhausted (stdin) or a stop is requested; True if all was delivered.
    ``reload(pipelines)`` (on SIGHUP) returns the pipelines to run from then on, started."""
    settle_process()
    for pipeline in pipelines:
        pipeline.thread.start()
    while not lifecycle.stop_requested.is_set():
        if lifecycle.reload_requested.is_set() and reload is not None:
            lifecycle.reload_requested.clear()
            pipelines = reload(pipelines)
        active = False
        for pipeline in pipelines:
            active = pipeline.step() or active
        if all(getattr(p.source, "exhausted", False) for p in pipelines):
            break
        if not active:
            lifecycle.wakeup.wait(IDLE_POLL_S)
        lifecycle.wakeup.clear()
    if lifecycle.stop_requested.is_set():
        LOG.info("stopping: sending what is buffered (up to %.0f s)", lifecycle.shutdown_timeout)
    for pipeline in pipelines:
        pipeline.finish(lifecycle)
    for pipeline in pipelines:
        while pipeline.thread.is_alive():
            pipeline.thread.join(0.2)
            if lifecycle.expired():
                break
    return not [p for p in pipelines if p.thread.is_alive() or p.publisher.stats.undelivered]
