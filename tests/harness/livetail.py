"""StartLiveTail as the service does it, served by the wire proxy (moto's gives one update of
everything stored and ends): a session sees the events ingested (PutLogEvents the proxy passed
and the endpoint accepted) while it is open, in an update every ``update_s``, and the test decides
when the server ends it and when it samples.

The answer is an AWS event stream: frames of [total length, headers length, prelude CRC32,
headers, payload, message CRC32], big-endian; a header is [name length (1 byte), name, type 7
(string), value length (2 bytes), value]."""
import json
import struct
import threading
import time
import zlib
from dataclasses import dataclass, field

ARN_PREFIX = "arn:aws:logs:"
MAX_GROUPS = 10


def frame(headers, payload):
    encoded = b"".join(struct.pack("B", len(name)) + name.encode() + b"\x07" + struct.pack(">H", len(value))
                       + value.encode() for name, value in headers.items())
    total = 12 + len(encoded) + len(payload) + 4
    prelude = struct.pack(">II", total, len(encoded))
    message = prelude + struct.pack(">I", zlib.crc32(prelude)) + encoded + payload
    return message + struct.pack(">I", zlib.crc32(message))


def event_frame(event_type, body):
    return frame({":message-type": "event", ":event-type": event_type, ":content-type": "application/json"},
                 json.dumps(body).encode())


def exception_frame(exception_type, message):
    return frame({":message-type": "exception", ":exception-type": exception_type,
                  ":content-type": "application/json"}, json.dumps({"message": message}).encode())


@dataclass
class Session:
    groups: set
    streams: list  # logStreamNames, or None
    prefixes: list  # logStreamNamePrefixes, or None
    pending: list = field(default_factory=list)
    delivered: int = 0
    ended: str = ""  # how the session ended: "timeout", "closed by server", "client went away"

    def wants(self, group, stream):
        return group in self.groups and (self.streams is None or stream in self.streams) and (
            self.prefixes is None or any(stream.startswith(prefix) for prefix in self.prefixes))


class LiveFeed:
    """The proxy's live tail: ``end_after`` (events a session delivers before the server ends it,
    None: never), ``end_with`` ("timeout": a SessionTimeoutException frame; "close": the connection
    just closes), ``sample_above`` (more events than this in one update: only this many, sampled)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._open = []
        self.sessions = []
        self.update_s = 0.2
        self.end_after = None
        self.end_with = "timeout"
        self.sample_above = None

    def clear(self):
        with self._lock:
            self._open, self.sessions = [], []
            self.end_after, self.end_with, self.sample_above = None, "timeout", None

    def ingested(self, group, stream, events):
        now = int(time.time() * 1000)
        with self._lock:
            for session in self._open:
                if session.wants(group, stream):
                    session.pending += [{"logGroupIdentifier": f"{ARN_PREFIX}us-east-1:123456789012:log-group:{group}",
                                         "logStreamName": stream, "timestamp": event["timestamp"],
                                         "message": event["message"], "ingestionTime": now} for event in events]

    def problem(self, body):
        """Why AWS would refuse this StartLiveTail, or None."""
        identifiers = body.get("logGroupIdentifiers") or []
        if not 1 <= len(identifiers) <= MAX_GROUPS:
            return f"logGroupIdentifiers: {len(identifiers)} given, 1 to {MAX_GROUPS} allowed"
        bad = [name for name in identifiers if not name.startswith(ARN_PREFIX) or name.endswith("*")]
        return f"logGroupIdentifiers must be ARNs without a trailing *: {bad}" if bad else None

    def serve(self, handler, body):
        """Answers one StartLiveTail on ``handler``'s connection until the session ends."""
        session = Session({name.partition(":log-group:")[2] for name in body["logGroupIdentifiers"]},
                          body.get("logStreamNames"), body.get("logStreamNamePrefixes"))
        with self._lock:
            self._open.append(session)
            self.sessions.append(session)
        try:
            handler.stream_start("application/vnd.amazon.eventstream")
            handler.stream_chunk(frame({":message-type": "event", ":event-type": "initial-response"}, b"{}"))
            handler.stream_chunk(event_frame("sessionStart", {
                "requestId": "r", "sessionId": str(len(self.sessions)),
                "logGroupIdentifiers": body["logGroupIdentifiers"]}))
            while not session.ended:
                time.sleep(self.update_s)
                handler.stream_chunk(self._update(session))
            handler.stream_chunk(b"")
        except OSError:
            session.ended = "client went away"
        finally:
            with self._lock:
                self._open.remove(session)
            handler.close_connection = True

    def _update(self, session):
        with self._lock:
            events, session.pending = session.pending, []
            payload = b""
            if self.end_after is not None and session.delivered + len(events) >= self.end_after:
                events = events[:self.end_after - session.delivered]  # the rest: ingested, never delivered
                session.ended = self.end_with
            sampled = self.sample_above is not None and len(events) > self.sample_above
            if sampled:
                events = events[:self.sample_above]
            session.delivered += len(events)
            payload += event_frame("sessionUpdate", {"sessionMetadata": {"sampled": sampled},
                                                     "sessionResults": events})
            if session.ended == "timeout":
                payload += exception_frame("SessionTimeoutException", "Session timed out")
            return payload
