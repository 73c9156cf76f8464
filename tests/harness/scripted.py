"""Stand-ins for the unit tests: a Logs client that answers from a script, a state file that
records what it was asked to save, and GetLogEvents / FilterLogEvents answered from scripts."""
from botocore.exceptions import ClientError

from tests.harness.sections import make_stream

STREAM = make_stream(section="s", log_group_name="g", log_stream_name="s")


def client_error(code, status=400):
    return ClientError({"Error": {"Code": code, "Message": code.lower()},
                        "ResponseMetadata": {"HTTPStatusCode": status}}, "PutLogEvents")


class ScriptedClient:
    def __init__(self, *outcomes):
        self.outcomes = list(outcomes)
        self.calls = 0

    def put_log_events(self, **kwargs):
        self.calls += 1
        outcome = self.outcomes.pop(0) if self.outcomes else {}
        if isinstance(outcome, Exception):
            raise outcome
        return outcome


class Store:
    def __init__(self):
        self.saved = []
        self.counts = []
        self.errors = []

    def save(self, group, stream, positions, counts=None):
        self.saved.append(positions)
        self.counts.append(counts)

    def record_error(self, group, stream, message):
        self.errors.append(message)


def event(ts, eid=None, message="m"):
    found = {"timestamp": ts, "message": message, "ingestionTime": ts}
    if eid is not None:
        found["eventId"] = eid
    return found


class FakeGetLogEvents:
    """Answers GetLogEvents from a script of (events, nextForwardToken) keyed by the token sent."""

    def __init__(self, script):
        self.script = script
        self.requests = []

    def get_log_events(self, **request):
        self.requests.append(dict(request))
        events, token = self.script[request.get("nextToken")]
        return {"events": events, "nextForwardToken": token, "nextBackwardToken": "b"}


class FakeFilter:
    def __init__(self, polls):
        self.polls = iter(polls)  # each poll: list of pages; a page: list of events
        self.requests = []
        self._pages = iter(())

    def filter_log_events(self, **request):
        self.requests.append(dict(request))
        if "nextToken" not in request:
            self._pages = iter(next(self.polls))
        page = next(self._pages)
        more = self._peek_more()
        return {"events": page, **({"nextToken": "n"} if more else {})}

    def _peek_more(self):
        pages = list(self._pages)
        self._pages = iter(pages)
        return bool(pages)
