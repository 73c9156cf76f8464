"""A reverse proxy between the plugin and moto that sees every request as sent.

It answers a PutLogEvents that AWS would reject the way AWS would (400
InvalidParameterException) and records the violation, so the test fails even though moto
would have accepted it. It can also inject faults: error statuses, throttling, delays,
connection resets, and responses lost after the endpoint stored the batch.
"""
import gzip
import http.client
import json
import random
import re
import socket
import struct
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.harness.awsrules import put_log_events_violations, rejected_log_events_info
from tests.harness.exports import ExportService
from tests.harness.newestfirst import NewestFirst, is_newest_first
from tests.harness.queries import QueryService
from tests.harness.livetail import LiveFeed

EXPORT_ACTIONS = ("CreateExportTask", "DescribeExportTasks", "CancelExportTask")  # tests/harness/exports.py
QUERY_ACTIONS = ("StartQuery", "GetQueryResults")  # tests/harness/queries.py
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "proxy-connection"}


@dataclass
class Call:
    """One API request as the proxy received it (PutLogEvents keeps counts, not messages)."""

    action: str
    content_encoding: str
    body: dict = field(repr=False)
    event_count: int = 0
    fault: str = ""
    status: int = None  # what the client was answered; 0 when the connection was reset
    access_key: str = ""  # the access key ID the request was signed with
    issued_key: str = ""  # AssumeRole(WithWebIdentity): the access key ID of the temporary credentials it answered
    at: float = field(default_factory=time.monotonic)  # when the proxy received it

    @property
    def target(self):
        return (self.body.get("logGroupName"), self.body.get("logStreamName"))


# Faults. Each is a callable(handler, forward) run instead of a plain forward; forward()
# passes the request to the endpoint and its answer back to the client.

def error_status(status, error_type, message="injected by the test proxy"):
    def fault(handler, forward):
        handler.reply(status, json.dumps({"__type": error_type, "message": message}).encode())
    fault.__name__ = f"{status} {error_type}"
    return fault


THROTTLE = error_status(400, "ThrottlingException", "Rate exceeded")


def query_running(handler, forward):
    """GetQueryResults answered as for a query that is still running."""
    handler.reply(200, json.dumps({"status": "Running", "results": [], "statistics": {
        "recordsMatched": 10.0, "recordsScanned": 2000.0, "bytesScanned": 300000.0}}).encode())
SERVER_ERROR = error_status(500, "ServiceUnavailableException")
UNAVAILABLE = error_status(503, "ServiceUnavailableException")


def sts_error(code, message):
    """An STS (query protocol, XML) error answer, such as AccessDenied for AssumeRole."""
    def fault(handler, forward):
        handler.reply(403, (f'<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error>'
                            f"<Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>"
                            "<RequestId>c0ffee</RequestId></ErrorResponse>").encode(),
                      [("Content-Type", "text/xml")])
    fault.__name__ = f"403 {code}"
    return fault


def expiring_in(seconds):
    """AssumeRole (or AssumeRoleWithWebIdentity) answered with credentials that expire ``seconds`` from now."""
    def fault(handler, forward):
        status, payload, headers = handler.fetch_upstream()
        expiry = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + seconds)).encode()
        handler.reply(status, re.sub(rb"<Expiration>[^<]*</Expiration>", b"<Expiration>" + expiry + b"</Expiration>",
                                     payload), headers)
    fault.__name__ = f"expiring in {seconds} s"
    return fault


def reset(handler, forward):
    handler.reset_connection()


def lose_response(handler, forward):
    """The endpoint stores the request, the client never hears back."""
    handler.fetch_upstream()
    handler.reset_connection()


def delay(seconds):
    def fault(handler, forward):
        time.sleep(seconds)
        forward()
    fault.__name__ = f"delay {seconds}s"
    return fault


def held(gate):
    """The request waits until ``gate`` (a threading.Event) is set, then its connection is reset:
    the endpoint never sees it (a batch in flight when the agent is killed)."""
    def fault(handler, forward):
        gate.wait(120)
        handler.reset_connection()
    fault.__name__ = "held, then reset"
    return fault


class FaultPlan:
    """Decides, per request, whether a fault replaces the plain forward."""

    def __init__(self):
        self._lock = threading.Lock()
        self._queued = []  # (action, fault) taken in order
        self._rate = 0.0
        self._random_faults = ()
        self._random_actions = None
        self._random = random.Random(0)
        self._down = False

    def queue(self, fault, action="PutLogEvents", times=1):
        with self._lock:
            self._queued.extend([(action, fault)] * times)

    def at_random(self, rate, faults, actions=("PutLogEvents",), seed=0):
        with self._lock:
            self._rate, self._random_faults = rate, tuple(faults)
            self._random_actions = set(actions) if actions else None
            self._random = random.Random(seed)

    def pending(self):
        """How many queued faults no request has taken yet."""
        with self._lock:
            return len(self._queued)

    def clear(self):
        with self._lock:
            self._queued.clear()
            self._rate = 0.0
            self._down = False

    def set_down(self, down):
        """While down, every request's connection is reset: the endpoint is unreachable."""
        with self._lock:
            self._down = down

    def pick(self, action):
        with self._lock:
            if self._down:
                return reset
            for index, (wanted, fault) in enumerate(self._queued):
                if wanted in (action, "*"):
                    del self._queued[index]
                    return fault
            if self._rate and (self._random_actions is None or action in self._random_actions):
                if self._random.random() < self._rate:
                    return self._random.choice(self._random_faults)
        return None


class WireProxy(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, upstream_port, tls_context=None):
        super().__init__(("127.0.0.1", 0), _Handler)
        if tls_context is not None:  # an HTTPS endpoint, e.g. with a self-signed certificate
            self.socket = tls_context.wrap_socket(self.socket, server_side=True)
        self.upstream_port = upstream_port
        self.url = f"{'https' if tls_context else 'http'}://127.0.0.1:{self.server_address[1]}"
        self.faults = FaultPlan()
        self.live = LiveFeed()
        self.exports = ExportService(f"http://127.0.0.1:{upstream_port}")
        self.queries = QueryService(f"http://127.0.0.1:{upstream_port}")
        self.newest_first = NewestFirst(f"http://127.0.0.1:{upstream_port}")
        self.calls = []
        self.violations = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()

    def clear(self):
        with self._lock:
            self.calls = []
            self.violations = []
        self.faults.clear()
        self.live.clear()
        self.exports.clear()
        self.queries.clear()

    def calls_of(self, action):
        with self._lock:
            return [call for call in self.calls if call.action == action]

    def accepted_events(self, group, stream):
        """Events in PutLogEvents requests to this stream that the endpoint answered 200."""
        with self._lock:
            return sum(c.event_count for c in self.calls
                       if c.action == "PutLogEvents" and c.status == 200 and c.target == (group, stream))

    def record(self, call, violations):
        with self._lock:
            self.calls.append(call)
            self.violations.extend(violations)

    def handle_error(self, request, client_address):
        pass  # a reset injected on purpose, or a client that went away

    def stop(self):
        self.shutdown()
        self.server_close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    _local = threading.local()

    def log_message(self, *args):
        pass

    def do_GET(self):
        self._proxy(b"")

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        if len(raw) < length:  # the client died mid-request (kill -9): nothing reached AWS, nothing to check
            self.close_connection = True
            return
        self._proxy(raw)

    def _proxy(self, raw):
        action = (self.headers.get("X-Amz-Target") or "").rpartition(".")[2]
        encoding = self.headers.get("Content-Encoding", "")
        if "x-www-form-urlencoded" in self.headers.get("Content-Type", ""):  # STS: the query protocol
            body = dict(urllib.parse.parse_qsl(raw.decode()))
            action = body.get("Action", "")
        else:
            body = _decode(raw, encoding)
        violations = []
        if action == "PutLogEvents":
            where = f"{body.get('logGroupName')}/{body.get('logStreamName')}"
            violations = [f"PutLogEvents to {where}: {problem}" for problem in put_log_events_violations(body)]
        fault = None if violations else self.server.faults.pick(action)
        self.events = (body.pop("logEvents", None) or []) if action == "PutLogEvents" else []
        count = len(self.events)
        credential = (self.headers.get("Authorization") or "").partition("Credential=")[2]
        self.call = Call(action, encoding, body, count, getattr(fault, "__name__", ""),
                         access_key=credential.partition("/")[0])
        self.server.record(self.call, violations)
        self.raw = raw
        if action == "StartLiveTail" and not fault:
            violations = [self.server.live.problem(body)] if self.server.live.problem(body) else []
        if violations:
            message = "; ".join(violations)
            self.reply(400, json.dumps({"__type": "InvalidParameterException", "message": message}).encode())
        elif fault is not None:
            fault(self, self.forward)
        elif action == "StartLiveTail":
            self.server.live.serve(self, body)
        elif action in EXPORT_ACTIONS:
            status, answer = self.server.exports.answer(action, body)
            self.reply(status, json.dumps(answer).encode())
        elif action in QUERY_ACTIONS:
            self.server.queries.serve(self, action, body)
        elif action == "FilterLogEvents" and is_newest_first(body):
            self.server.newest_first.serve(self, body)
        else:
            self.forward()

    def forward(self):
        status, payload, headers = self.fetch_upstream()
        if self.call.action == "PutLogEvents" and status == 200:
            self.server.live.ingested(self.call.body.get("logGroupName"), self.call.body.get("logStreamName"),
                                      self.events)
            payload = _as_aws_rejects(payload, self.events)
        self.reply(status, payload, headers)

    def fetch_upstream(self):
        """(status, payload, headers) of the endpoint's answer to this request."""
        connection = getattr(self._local, "upstream", None)
        if connection is None:
            connection = self._local.upstream = http.client.HTTPConnection(
                "127.0.0.1", self.server.upstream_port, timeout=120)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
        try:
            connection.request(self.command, self.path, self.raw, headers)
            response = connection.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException):
            connection.close()
            self._local.upstream = None
            raise
        passed = [(k, v) for k, v in response.getheaders() if k.lower() not in _HOP_BY_HOP]
        return response.status, payload, passed

    def reply(self, status, payload, headers=()):
        self.call.status = status
        if self.call.action in ("AssumeRole", "AssumeRoleWithWebIdentity"):
            issued = re.search(rb"<AccessKeyId>([^<]+)</AccessKeyId>", payload)
            self.call.issued_key = issued.group(1).decode() if issued else ""
        self.send_response(status)
        sent = {name.lower() for name, _ in headers}
        for name, value in headers:
            self.send_header(name, value)
        if "content-type" not in sent:
            self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def stream_start(self, content_type):
        """Starts a 200 answer whose body comes in chunks (an event stream), as AWS sends one."""
        self.call.status = 200
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def stream_chunk(self, data):
        """One chunk of the body (b"": the end) sent at once."""
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def reset_connection(self):
        """Close with RST, as a crashed or unreachable endpoint would."""
        self.call.status = 0
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()


def _decode(raw, encoding):
    if not raw:
        return {}
    data = gzip.decompress(raw) if encoding == "gzip" else raw
    try:
        return json.loads(data)
    except ValueError:
        return {}


def _as_aws_rejects(payload, events):
    """moto's PutLogEvents answer with rejectedLogEventsInfo as AWS defines it (it stores the same events)."""
    answer = json.loads(payload)
    answer.pop("rejectedLogEventsInfo", None)
    info = rejected_log_events_info(events, int(time.time() * 1000))
    return json.dumps({**answer, **({"rejectedLogEventsInfo": info} if info else {})}).encode()
