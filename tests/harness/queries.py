"""Logs Insights as the service answers it, served by the wire proxy where moto does not: a Logs
Insights QL query's rows up to StartQuery's limit (10,000 without one, 100,000 at most) in pages
of GetQueryResults' maxItems (10,000 at most) with nextToken; OpenSearch SQL (its log groups named
in the query, never as parameters) and PPL (its groups as parameters), which moto cannot run: they
answer their groups' events in the window, oldest first, up to 10,000, as rows of @timestamp and
@message, without pages; and ``stats count(*) by bin(5m)`` (optionally ``, @log`` or
``, @logStream``), which moto answers without counting: rows of the bin's time, the group and the
count, as the service writes them. Parameters the API reference refuses are refused as the service
does. moto runs the other Logs Insights QL queries."""
import json
import re
import threading
import time
import uuid

from tests.harness.logsapi import LogsApi, LogsApiError

DEFAULT_ROWS, MOST_ROWS, PAGE_ROWS = 10_000, 100_000, 10_000
_GROUP_PARAMETERS = ("logGroupName", "logGroupNames", "logGroupIdentifiers")
_COUNT_BY_BIN = re.compile(r"\s*stats\s+count\(\*\)\s+by\s+bin\((\d+)([smh])\)(?:\s*,\s*(@log|@logStream))?\s*$")
_SQL_GROUPS = re.compile(r"logGroups\(\s*logGroupIdentifier\s*:\s*\[([^\]]*)\]\s*\)", re.IGNORECASE)


class QueryService:
    def __init__(self, upstream_url):
        self._logs = LogsApi(upstream_url)
        self._lock = threading.Lock()
        self.queries = {}  # query id -> {"language", "limit", "rows" (once complete)}

    def clear(self):
        with self._lock:
            self.queries = {}

    def serve(self, handler, action, body):
        """Answers StartQuery or GetQueryResults for the proxy's ``handler``."""
        try:
            status, answer = getattr(self, f"_{action}")(handler, body)
        except _Refused as refusal:
            status, answer = 400, {"__type": refusal.args[0], "message": refusal.args[1]}
        handler.reply(status, answer if isinstance(answer, bytes) else json.dumps(answer).encode())

    def _StartQuery(self, handler, body):
        language = body.get("queryLanguage", "CWLI")
        if language not in ("CWLI", "SQL", "PPL"):
            raise _Refused("InvalidParameterException", f"queryLanguage {language} is not CWLI, SQL or PPL")
        given = [name for name in _GROUP_PARAMETERS if body.get(name)]
        if language == "SQL" and given:
            raise _Refused("InvalidParameterException",
                           f"{given[0]} cannot be used with SQL queries: name the log groups in the query string")
        if language != "SQL" and len(given) != 1 and not re.match(r"\s*SOURCE\b", body.get("queryString", ""), re.I):
            raise _Refused("InvalidParameterException",
                           "exactly one of logGroupName, logGroupNames and logGroupIdentifiers is required")
        limit = body.get("limit")
        most = MOST_ROWS if language == "CWLI" else DEFAULT_ROWS
        if limit is not None and not 1 <= limit <= most:
            raise _Refused("InvalidParameterException", f"limit must be between 1 and {most} for {language} queries")
        counting = _COUNT_BY_BIN.match(body.get("queryString", "")) if language == "CWLI" else None
        if language != "CWLI" or counting:
            query_id = str(uuid.uuid4())
            rows = self._counted(counting, body) if counting else self._emulated(language, body)
            with self._lock:
                self.queries[query_id] = {"language": language, "limit": limit or DEFAULT_ROWS, "rows": rows}
            return 200, {"queryId": query_id}
        status, payload, _ = handler.fetch_upstream()
        if status == 200:
            with self._lock:
                self.queries[json.loads(payload)["queryId"]] = {"language": language, "limit": limit or DEFAULT_ROWS}
        return status, payload

    def _GetQueryResults(self, handler, body):
        query = self.queries.get(body.get("queryId"))
        if query is None:
            status, payload, _ = handler.fetch_upstream()
            return status, payload
        most = body.get("maxItems", PAGE_ROWS)
        if not 0 <= most <= PAGE_ROWS:
            raise _Refused("InvalidParameterException", f"maxItems must be between 0 and {PAGE_ROWS}")
        if query.get("rows") is None:
            status, payload, _ = handler.fetch_upstream()
            answer = json.loads(payload)
            if status != 200 or answer.get("status") != "Complete":
                return status, payload
            query["rows"], query["statistics"] = answer.get("results") or [], answer.get("statistics") or {}
        rows = query["rows"][:query["limit"]]
        start = 0
        if body.get("nextToken"):
            if query["language"] != "CWLI":
                raise _Refused("InvalidParameterException", "nextToken is supported for Logs Insights QL only")
            token_query, _, offset = body["nextToken"].rpartition(":")
            if token_query != body["queryId"] or not offset.isdigit():
                raise _Refused("InvalidParameterException", "The nextToken is not valid")
            start = int(offset)
        if query["language"] != "CWLI":
            most = len(rows)  # SQL and PPL: one answer, no pages
        answer = {"status": "Complete", "results": rows[start:start + most], "queryLanguage": query["language"],
                  "statistics": query.get("statistics") or {"recordsMatched": float(len(rows)),
                                                            "recordsScanned": float(len(rows)), "bytesScanned": 0.0}}
        if start + most < len(rows):
            answer["nextToken"] = f"{body['queryId']}:{start + most}"
        return 200, answer

    def _emulated(self, language, body):
        """The rows of a SQL or PPL query: its groups' events in the window, oldest first."""
        if language == "SQL":
            found = _SQL_GROUPS.search(body.get("queryString", ""))
            if found is None:
                raise _Refused("MalformedQueryException", "a SQL query names its log groups: FROM `logGroups(...)`")
            groups = re.findall(r"'([^']+)'", found.group(1))
        else:
            groups = body.get("logGroupNames") or [body.get("logGroupName")]
        events = []
        for group in groups:
            events += self._events(group, body["startTime"] * 1000, body["endTime"] * 1000 + 999)
        events.sort(key=lambda event: event["timestamp"])
        return [[{"field": "@timestamp", "value": _when(event["timestamp"])}, {"field": "@message", "value": event["message"]},
                 {"field": "@ptr", "value": f"{language}-{index}"}] for index, event in enumerate(events[:DEFAULT_ROWS])]

    def _counted(self, counting, body):
        """stats count(*) by bin(N unit)[, @log | @logStream]: a row per bin (and group), in time order."""
        number, unit, by = counting.groups()
        size_ms = int(number) * {"s": 1000, "m": 60_000, "h": 3_600_000}[unit]
        counts = {}
        for group in body.get("logGroupNames") or [body.get("logGroupName")]:
            for event in self._events(group, body["startTime"] * 1000, body["endTime"] * 1000 + 999):
                key = (event["timestamp"] // size_ms * size_ms,
                       group if by == "@log" else event["logStreamName"] if by == "@logStream" else None)
                counts[key] = counts.get(key, 0) + 1
        return [[{"field": f"bin({number}{unit})", "value": _when(start)},
                 *([{"field": by, "value": name}] if by else []), {"field": "count(*)", "value": str(count)}]
                for (start, name), count in sorted(counts.items())]

    def _events(self, group, start_ms, end_ms):
        events, token = [], None
        while True:
            try:
                page = self._logs.call("FilterLogEvents", {"logGroupName": group, "startTime": start_ms,
                                                           "endTime": end_ms, **({"nextToken": token} if token else {})})
            except LogsApiError:
                raise _Refused("ResourceNotFoundException", f"Log group '{group}' does not exist") from None
            events += page.get("events", [])
            token = page.get("nextToken")
            if not token:
                return events


def _when(timestamp):
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(timestamp // 1000)) + f".{timestamp % 1000:03d}"


class _Refused(Exception):
    pass
