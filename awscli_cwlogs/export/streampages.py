"""One log stream's events, oldest first, paged with GetLogEvents and the forward token: to the
point where the service returns the token it was sent (an empty page before it is not the end),
or on, polling, with --follow."""
import time

from awscli_cwlogs.export.common import before


class StreamPages:
    """Iterating yields the events of each page that has any. ``token`` resumes an earlier export;
    ``next_token`` is, while a page is yielded, the token that asks for the page after it (what
    --checkpoint saves). With ``follow``, it polls on from the end, sleeping ``delay`` seconds
    after each poll that brought nothing."""

    def __init__(self, client, group, stream, start=None, end=None, follow=False, delay=1.0, sleep=time.sleep,
                 token=None):
        self._client, self._follow, self._delay, self._sleep = client, follow, delay, sleep
        self._end = end
        self.next_token = token
        self._request = {"logGroupName": group, "logStreamName": stream, "startFromHead": True,
                         **({"startTime": start} if start is not None else {}),
                         **({"endTime": end} if end is not None else {}),
                         **({"nextToken": token} if token is not None else {})}

    def __iter__(self):
        request, token = self._request, self.next_token
        while True:
            page = self._client.get_log_events(**request)
            events = before(self._end, page["events"])
            self.next_token = page["nextForwardToken"]
            if events:
                yield events
            if self.next_token == token:
                if not self._follow:
                    return
                if not events:
                    self._sleep(self._delay)
            token = request["nextToken"] = self.next_token
