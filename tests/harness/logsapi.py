"""A minimal CloudWatch Logs JSON client for tests: seeds data and reads back what was stored,
without importing botocore into the test process (awscli >= 1.46 redirects it)."""
import gzip
import http.client
import json
import urllib.parse

from tests.harness.awsrules import EVENT_OVERHEAD, MAX_BATCH_BYTES, MAX_BATCH_EVENTS, MAX_SPAN_MS

_AUTH = "AWS4-HMAC-SHA256 Credential=AKIDTEST/20260101/us-east-1/{}/aws4_request, SignedHeaders=host, Signature=0"


class LogsApiError(Exception):
    def __init__(self, status, body):
        super().__init__(f"HTTP {status}: {body}")
        self.status = status
        self.body = body


class LogsApi:
    SERVICE, TARGET = "logs", "Logs_20140328"  # moto tells the services on its one port by these

    def __init__(self, endpoint):
        parsed = urllib.parse.urlsplit(endpoint)
        self._host, self._port = parsed.hostname, parsed.port

    def send(self, action, payload, compress=False):
        """(HTTP status, body bytes) of one request; connection errors propagate."""
        body = json.dumps(payload).encode()
        headers = {
            "X-Amz-Target": f"{self.TARGET}.{action}",
            "Content-Type": "application/x-amz-json-1.1",
            "Authorization": _AUTH.format(self.SERVICE),  # moto keys its data by the region in here
        }
        if compress:
            body, headers["Content-Encoding"] = gzip.compress(body), "gzip"
        connection = http.client.HTTPConnection(self._host, self._port, timeout=60)
        try:
            connection.request("POST", "/", body, headers)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def call(self, action, payload):
        status, body = self.send(action, payload)
        if status != 200:
            raise LogsApiError(status, body.decode(errors="replace"))
        return json.loads(body) if body else {}

    def create_stream(self, group, stream):
        try:
            self.call("CreateLogGroup", {"logGroupName": group})
        except LogsApiError as error:
            if "ResourceAlreadyExists" not in error.body:
                raise
        self.call("CreateLogStream", {"logGroupName": group, "logStreamName": stream})

    def put_events(self, group, stream, events):
        """Stores (timestamp, message) pairs, sorted by time, in batches AWS would accept."""
        for batch in valid_batches(sorted(events, key=lambda event: event[0])):
            self.call("PutLogEvents", {
                "logGroupName": group, "logStreamName": stream,
                "logEvents": [{"timestamp": ts, "message": message} for ts, message in batch],
            })

    def stream_names(self, group):
        """The names of a group's streams (none if the group does not exist)."""
        try:
            return [stream["logStreamName"] for stream in self.call(
                "DescribeLogStreams", {"logGroupName": group})["logStreams"]]
        except LogsApiError:
            return []

    def stored_events(self, group, stream):
        """Every stored event of a stream, oldest first, as dicts from GetLogEvents."""
        request = {"logGroupName": group, "logStreamName": stream, "startFromHead": True}
        events, token = [], None
        while True:
            page = self.call("GetLogEvents", request)
            events.extend(page["events"])
            if page["nextForwardToken"] == token:
                return events
            token = request["nextToken"] = page["nextForwardToken"]


def valid_batches(events):
    batch, size = [], 0
    for timestamp, message in events:
        event_size = len(message.encode("utf-8")) + EVENT_OVERHEAD
        if batch and (
            len(batch) == MAX_BATCH_EVENTS
            or size + event_size > MAX_BATCH_BYTES
            or timestamp - batch[0][0] > MAX_SPAN_MS
        ):
            yield batch
            batch, size = [], 0
        batch.append((timestamp, message))
        size += event_size
    if batch:
        yield batch
