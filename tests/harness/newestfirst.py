"""FilterLogEvents with startFromHead false, as the service answers it, served by the wire proxy
(moto answers oldest first whatever it is sent): the newest matching events first, in pages of
``limit`` (10,000 without one) with a nextToken that goes on in the same direction; refused with
InvalidParameterException for a startTime before 2024-01-01, as the API reference says. The
events themselves are moto's, searched with the same parameters."""
import json

from tests.harness.logsapi import LogsApi

NEWEST_FIRST_FROM_MS = 1_704_067_200_000  # 2024-01-01T00:00:00Z
_SEARCH_KEYS = ("logGroupName", "logStreamNames", "logStreamNamePrefix", "startTime", "endTime", "filterPattern")


def is_newest_first(body):
    return body.get("startFromHead") is False or str(body.get("nextToken", "")).startswith("newest:")


class NewestFirst:
    def __init__(self, upstream_url):
        self._logs = LogsApi(upstream_url)

    def serve(self, handler, body):
        if body.get("startTime", NEWEST_FIRST_FROM_MS) < NEWEST_FIRST_FROM_MS:
            answer = {"__type": "InvalidParameterException",
                      "message": "startFromHead false is supported only for startTime on or after 2024-01-01"}
            handler.reply(400, json.dumps(answer).encode())
            return
        events = self._matching({key: body[key] for key in _SEARCH_KEYS if key in body})
        events.sort(key=lambda event: event["timestamp"], reverse=True)
        start = int(body["nextToken"].split(":")[1]) if body.get("nextToken") else 0
        size = body.get("limit", 10_000)
        answer = {"events": events[start:start + size], "searchedLogStreams": []}
        if start + size < len(events):
            answer["nextToken"] = f"newest:{start + size}"
        handler.reply(200, json.dumps(answer).encode())

    def _matching(self, search):
        events, token = [], None
        while True:
            page = self._logs.call("FilterLogEvents", {**search, **({"nextToken": token} if token else {})})
            events += page.get("events", [])
            token = page.get("nextToken")
            if not token:
                return events
