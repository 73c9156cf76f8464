"""A minimal, fast CloudWatch Logs endpoint for benchmarks: accepts every PutLogEvents (and
creates nothing), serves a synthetic stream to GetLogEvents and FilterLogEvents (whatever
the request's filters and group), 10,000 rows to every Logs Insights query (StartQuery,
GetQueryResults), and reports what it saw on GET /stats. It runs as its own process so its CPU is not the client's.

    python blackhole.py PORT [PULL_EVENTS]
"""
import gzip
import json
import re
import socketserver
import sys
import threading
import time

PAGE = 10_000
_MARK = re.compile(rb"sent=(\d+\.\d+)")


class Blackhole(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port, pull_events):
        super().__init__(("127.0.0.1", port), _Connection)
        self.lock = threading.Lock()
        self.events = 0
        self.requests = 0
        self.first_put = None
        self.latencies = []
        self.pages = _pages(pull_events)
        self.filter_pages = _pages(pull_events, filtered=True)
        self.query_results = _query_results(10_000)

    def put(self, body, encoding):
        now = time.time()
        data = gzip.decompress(body) if encoding == b"gzip" else body
        count = data.count(b'"timestamp"')
        marks = _MARK.findall(data)
        with self.lock:
            self.events += count
            self.requests += 1
            if self.first_put is None:
                self.first_put = now
            self.latencies.extend(now - float(mark) for mark in marks)
        return b'{"nextSequenceToken":"1"}'

    def get(self, body):
        token = json.loads(body).get("nextToken")
        index = int(token[2:]) if token else 0
        if index >= len(self.pages):
            index = len(self.pages)
            return b'{"events":[],"nextForwardToken":"f/%d","nextBackwardToken":"b/0"}' % index
        return self.pages[index]

    def filter(self, body):
        token = json.loads(body).get("nextToken")
        return self.filter_pages[int(token[2:]) if token else 0] if self.filter_pages else b'{"events":[]}'

    def stats(self):
        with self.lock:
            return json.dumps({"events": self.events, "requests": self.requests, "first_put": self.first_put,
                               "latencies": self.latencies}).encode()

    def reset(self):
        with self.lock:
            self.events, self.requests, self.first_put, self.latencies = 0, 0, None, []
        return b"{}"


def _pages(total, filtered=False):
    """Pre-encoded pages of 10,000 events of ~160 bytes each: GetLogEvents', or (``filtered``)
    FilterLogEvents' (with the stream name and an event id; a nextToken on all but the last)."""
    pages, base = [], 1_795_000_000_000
    for start in range(0, total, PAGE):
        events = [{"timestamp": base + i, "ingestionTime": base + i + 5,
                   "message": f"2026-11-22 10:00:00.{i % 1000:03d} INFO worker-{i % 8} request {i:09d} "
                              f"served path=/api/v1/items/{i % 977} status=200 bytes={i % 4096} ms={i % 97}",
                   **({"logStreamName": "synthetic", "eventId": f"{i:056d}"} if filtered else {})}
                  for i in range(start, min(start + PAGE, total))]
        more = start + PAGE < total
        page = {"events": events, "searchedLogStreams": [], **({"nextToken": f"n/{start // PAGE + 1}"} if more else {})} \
            if filtered else {"events": events, "nextForwardToken": f"f/{start // PAGE + 1}", "nextBackwardToken": "b/0"}
        pages.append(json.dumps(page).encode())
    return pages


def _query_results(rows):
    """A completed query's answer: ``rows`` rows of the fields a typical events query asks for."""
    base = 1_795_000_000_000
    results = [[{"field": "@timestamp", "value": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(base / 1000 + i))
                 + f".{i % 1000:03d}"},
                {"field": "@log", "value": f"123456789012:/ecs/shop/{i % 10}"},
                {"field": "@message", "value": f"2026-11-22 10:00:00.{i % 1000:03d} ERROR worker-{i % 8} request "
                                               f"{i:09d} failed path=/api/v1/items/{i % 977} status=500"},
                {"field": "@ptr", "value": f"CmAKJwojMTIzNDU2Nzg5MDEyOi9lY3Mvc2hvcBAHEiAaGAIG{i:012d}"}]
               for i in range(rows)]
    return json.dumps({"status": "Complete", "results": results, "statistics": {
        "recordsMatched": float(rows), "recordsScanned": rows * 40.0, "bytesScanned": rows * 6400.0}}).encode()


class _Connection(socketserver.StreamRequestHandler):
    def handle(self):
        while True:
            request_line = self.rfile.readline()
            if not request_line:
                return
            headers = {}
            while True:
                line = self.rfile.readline()
                if line in (b"\r\n", b"\n", b""):
                    break
                name, _, value = line.partition(b":")
                headers[name.strip().lower()] = value.strip()
            body = self.rfile.read(int(headers.get(b"content-length", b"0")))
            self.wfile.write(self._answer(request_line, headers, body))

    def _answer(self, request_line, headers, body):
        target = headers.get(b"x-amz-target", b"").rpartition(b".")[2]
        server = self.server
        if target == b"PutLogEvents":
            payload = server.put(body, headers.get(b"content-encoding"))
        elif target == b"GetLogEvents":
            payload = server.get(body)
        elif target == b"FilterLogEvents":
            payload = server.filter(body)
        elif target == b"StartQuery":
            payload = b'{"queryId":"11111111-2222-3333-4444-555555555555"}'
        elif target == b"GetQueryResults":
            payload = server.query_results
        elif request_line.startswith(b"GET /stats"):
            payload = server.stats()
        elif request_line.startswith(b"POST /reset"):
            payload = server.reset()
        else:
            payload = b"{}"
        return (b"HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: %d\r\n\r\n"
                % len(payload)) + payload


if __name__ == "__main__":
    port = int(sys.argv[1])
    pull_events = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    server = Blackhole(port, pull_events)
    print("ready", flush=True)
    server.serve_forever()
