"""Sends one stream's batches with PutLogEvents, in order, and records each accepted batch's
offsets in the state file. It never drops a batch for a transient failure: it retries with
exponential backoff and jitter, forever, unless the agent is shutting down."""
import logging
import threading
from dataclasses import dataclass

from botocore.exceptions import BotoCoreError, ClientError, SSLError

from awscli_cwlogs.cloudwatch.accounts import CredentialsUnavailable
from awscli_cwlogs.cloudwatch.batch import Batch, BodyFormat
from awscli_cwlogs.cloudwatch.destinations import Destinations
from awscli_cwlogs.cloudwatch.retry import Backoff, Undeliverable
from awscli_cwlogs.cloudwatch.staterecord import StateRecord
from awscli_cwlogs.cli import describe_error as describe
from awscli_cwlogs.limits import EVENT_OVERHEAD
from awscli_cwlogs.timefmt import iso_millis

LOG = logging.getLogger("awscli_cwlogs")
_TRANSIENT = {
    "ThrottlingException", "ServiceUnavailableException", "InternalFailure", "InternalServerError",
    "RequestTimeout", "RequestTimeoutException", "InvalidSequenceTokenException", "LimitExceededException",
}
_body = threading.local()  # the encoded request body of this thread's current call, and its encoding


def install_body_hook(client):
    """PutLogEvents sends the body the batcher encoded (and gzipped) instead of botocore's
    serialization. It runs before signing, so the signature covers what is sent."""
    def swap_body(params, **kwargs):
        body = getattr(_body, "value", None)
        if body is None:
            return
        params["body"], compressed = body
        if compressed:
            params["headers"]["Content-Encoding"] = "gzip"
    client.meta.events.register("before-call.cloudwatch-logs.PutLogEvents", swap_body)


@dataclass
class StreamStats:
    events_sent: int = 0
    batches_sent: int = 0
    too_old: int = 0
    too_new: int = 0
    expired: int = 0
    refused: int = 0  # single events the service called invalid
    filtered: int = 0  # left out by include/exclude patterns
    undelivered: int = 0  # given up (only at shutdown or on a permanent error in stdin mode)
    bytes_sent: int = 0  # message bytes of the events accepted (not those rejected or refused)
    retries: int = 0  # waits before trying a request again
    failed_requests: int = 0  # requests that failed (and were retried)
    in_flight: bool = False  # a batch is being sent
    last_error: str = ""


class Publisher:
    def __init__(self, client, stream, store, lifecycle, give_up_on_permanent=False, use_gzip=True, sleep=None):
        self._client = client
        self._group = stream.log_group_name
        self._stream = stream.log_stream_name
        self._destinations = Destinations(client, stream)
        self._section = stream.section
        self._record = StateRecord(store, stream) if store is not None else None  # None: stdin mode, dry run
        self._give_up_on_permanent = give_up_on_permanent
        self.body_format = BodyFormat(self._group, self._stream, use_gzip)
        self.stats = StreamStats()
        self._retries = Backoff(self._section, self.stats, self._record, lifecycle, sleep or lifecycle.wait)
        self._unbilled_bytes = 0  # message bytes of the current batch's rejected and refused events

    def run(self, batches):
        """Thread body: publishes batches from the queue until it gets None."""
        while True:
            batch = batches.get()
            if batch is None:
                return
            self.stats.in_flight = True
            try:
                self.publish(batch)
            except Undeliverable as reason:
                self.stats.last_error = str(reason)
                self._give_up(batch, str(reason))
                while batch is not None:
                    batch = batches.get()
                    if batch is not None:
                        self._give_up(batch, str(reason))
                return
            finally:
                self.stats.in_flight = False

    def _give_up(self, batch, reason):
        self.stats.undelivered += batch.count
        if self._record is not None:
            LOG.warning("[%s] %d events not sent before stopping (%s); they are sent after the restart",
                        self._section, batch.count, reason)
        else:
            LOG.error("[%s] %d events not delivered: %s", self._section, batch.count, reason)

    def publish(self, batch):
        """Sends a batch until the service accepted it, then records its offsets."""
        attempt = 0
        while batch.count:
            try:
                self._send(batch)
                break
            except Undeliverable:
                raise
            except Exception as error:  # a bug or a surprise must not kill this thread: retry
                LOG.exception("[%s] unexpected error while sending a batch; will retry", self._section)
                self._retries.wait(attempt, f"{type(error).__name__}: {error}")
                attempt += 1
        accepted_bytes = batch.size - EVENT_OVERHEAD * batch.count - self._unbilled_bytes
        self._unbilled_bytes = 0
        self.stats.events_sent += batch.count
        self.stats.bytes_sent += accepted_bytes
        self.stats.batches_sent += 1 if batch.count else 0
        self.stats.filtered += batch.filtered
        if self._record is not None:
            self._record.accepted(batch, accepted_bytes)

    def _count(self, name, number):
        setattr(self.stats, name, getattr(self.stats, name) + number)
        if self._record is not None:
            self._record.rejected(name, number)

    def _send(self, batch):
        """Sends until accepted; isolates events the service refuses as invalid."""
        attempt = 0
        while True:
            try:
                response = self._put(batch.body, batch.compressed, batch.destination)
                self._count_rejected(response, batch)
                self._retries.succeeded()
                return
            except ClientError as error:
                code = error.response.get("Error", {}).get("Code", "")
                if code == "ResourceNotFoundException":
                    if attempt >= 2:  # created, yet still not found: do not spin
                        self._retries.wait(attempt, describe(error))
                    self._create_destination(attempt, batch.destination)
                elif code == "InvalidParameterException":
                    self._isolate(batch.events(), describe(error), batch.destination)
                    return
                elif code == "DataAlreadyAcceptedException":
                    return
                elif self._give_up_on_permanent and _is_permanent(error):
                    raise Undeliverable(describe(error)) from None
                else:
                    self._retries.wait(attempt, describe(error))
            except CredentialsUnavailable as error:
                self._retries.credentials_failed(attempt, error)
            except BotoCoreError as error:
                if self._give_up_on_permanent and isinstance(error, SSLError):
                    raise Undeliverable(str(error)) from None
                self._retries.wait(attempt, str(error))
            attempt += 1

    def _put(self, body, compressed, destination):
        group, stream = destination or (self._group, self._stream)
        _body.value = (body, compressed)
        try:
            return self._client.put_log_events(logGroupName=group, logStreamName=stream, logEvents=[])
        finally:
            _body.value = None

    def _create_destination(self, attempt, destination):
        group, stream = destination or (self._group, self._stream)
        try:
            self._destinations.create(group, stream)
        except (ClientError, BotoCoreError) as error:
            if isinstance(error, ClientError) and self._give_up_on_permanent and _is_permanent(error):
                raise Undeliverable(describe(error)) from None
            self._retries.wait(attempt, f"creating {group}/{stream}: {describe(error)}")

    def _isolate(self, events, reason, destination=None):
        """Bisects a batch the service called invalid, sending every event it accepts."""
        if len(events) == 1:
            timestamp, message = events[0]
            self._count("refused", 1)
            self._unbilled_bytes += len(message.encode())
            LOG.error("[%s] the service refused the event at %s (%d bytes): %s",
                      self._section, iso_millis(timestamp), len(message.encode()), reason)
            return
        LOG.warning("[%s] the service called a batch of %d events invalid (%s); isolating the bad events",
                    self._section, len(events), reason)
        middle = len(events) // 2
        fmt = BodyFormat(*destination, self.body_format.compressed) if destination else self.body_format
        for half in (events[:middle], events[middle:]):
            self._send(Batch(fmt.encode(half), fmt.compressed, len(half), 0, destination=fmt.destination))

    def _count_rejected(self, response, batch):
        counts, unbilled = rejected_events(response.get("rejectedLogEventsInfo"), batch)
        if not counts:
            return
        for name, number in counts.items():
            self._count(name, number)
        self._unbilled_bytes += unbilled
        LOG.warning("[%s] the service rejected %d too old, %d too new and %d expired events of a batch of %d "
                    "(older than 14 days or the retention, or over 2 hours ahead: check datetime_format and "
                    "time_zone)", self._section, counts["too_old"], counts["too_new"], counts["expired"], batch.count)


def rejected_events(info, batch):
    """({too_old, too_new, expired: count}, message bytes of those events) from a response's
    rejectedLogEventsInfo; ({}, 0) when nothing was rejected."""
    if not info:
        return {}, 0
    count = batch.count
    too_new = count - info["tooNewLogEventStartIndex"] if "tooNewLogEventStartIndex" in info else 0
    too_old = info.get("tooOldLogEventEndIndex", 0)
    expired = info.get("expiredLogEventEndIndex", 0)
    events = batch.events()  # the rare path: decoded again to know the rejected events' bytes
    rejected = events[:max(too_old, expired)] + events[count - too_new:count if too_new else 0]
    return ({"too_new": too_new, "too_old": too_old, "expired": expired},
            sum(len(message.encode()) for _, message in rejected))


def _is_permanent(error):
    """An error that retrying will not fix (access denied, bad credentials): 4xx, not throttling."""
    code = error.response.get("Error", {}).get("Code", "")
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 500)
    return code not in _TRANSIENT and status < 500


class PrintingPublisher(Publisher):
    """--dry-run: prints each batch's events as they would be sent; no AWS call, no state."""

    def __init__(self, stream, lifecycle, out):
        super().__init__(None, stream, None, lifecycle, use_gzip=False)
        self._out = out

    def publish(self, batch):
        lines = "".join(f"{iso_millis(ts)} {message}\n" for ts, message in batch.events())
        self._out.write(lines.encode("utf-8", "replace"))
        self._out.flush()
        self.stats.events_sent += batch.count
        self.stats.batches_sent += 1
