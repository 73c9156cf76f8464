"""The Python floor: what reading, splitting, timestamping, JSON-encoding and hashing (SigV4
hashes the body) cost for these lines in plain, efficient Python, with no HTTP. The agent can
approach this, not beat it."""
import calendar
import hashlib
import json
import re
import time

_STAMP = re.compile(r"(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})\.(\d{3})")


def floor_cpu(path, datetime_format=None, batch=10_000):
    """CPU-seconds per 100k lines for the floor's work on ``path``."""
    started = time.process_time()
    hours, events, lines, partial = {}, [], 0, b""
    with open(path, "rb") as source:
        while True:
            chunk = source.read(1 << 20)
            if not chunk:
                break
            parts = (partial + chunk).split(b"\n")
            partial = parts.pop()
            for raw in parts:
                text = raw.decode("utf-8", "replace")
                found = _STAMP.match(text)
                key = found.group(1, 2, 3, 4)
                base = hours.get(key)
                if base is None:
                    base = hours[key] = calendar.timegm(tuple(map(int, key)) + (0, 0))
                minute, second, millis = found.group(5, 6, 7)
                events.append({"timestamp": (base + int(minute) * 60 + int(second)) * 1000 + int(millis),
                               "message": text})
                if len(events) == batch:
                    _send(events)
                    lines += len(events)
                    events = []
    if events:
        _send(events)
        lines += len(events)
    return (time.process_time() - started) * 100_000 / lines


def _send(events):
    body = json.dumps({"logGroupName": "g", "logStreamName": "s", "logEvents": events}).encode()
    hashlib.sha256(body).hexdigest()
