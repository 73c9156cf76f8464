"""The rules AWS applies to a PutLogEvents request, which moto does not enforce (a query's rows:
queries.py)."""

MAX_BATCH_EVENTS = 10_000
MAX_BATCH_BYTES = 1_048_576
EVENT_OVERHEAD = 26
MAX_EVENT_BYTES = 1_048_576  # message bytes + overhead, so one event can fill a batch
MAX_SPAN_MS = 24 * 3600 * 1000
TOO_OLD_MS = 14 * 86_400_000  # events older than this are rejected one by one
TOO_NEW_MS = 2 * 3_600_000  # and so are events further ahead than this


def put_log_events_violations(request):
    """Every reason AWS would reject this PutLogEvents request body (a dict); [] if none."""
    events = request.get("logEvents")
    if not isinstance(events, list) or not events:
        return ["logEvents is missing or empty"]
    problems = []
    if len(events) > MAX_BATCH_EVENTS:
        problems.append(f"{len(events)} events in one batch (max {MAX_BATCH_EVENTS})")
    batch_bytes = 0
    previous = None
    for index, event in enumerate(events):
        message, timestamp = event.get("message"), event.get("timestamp")
        if not isinstance(message, str) or not isinstance(timestamp, int):
            problems.append(f"event {index}: needs a string message and an integer timestamp")
            continue
        size = len(message.encode("utf-8")) + EVENT_OVERHEAD
        batch_bytes += size
        if not message:
            problems.append(f"event {index}: empty message")
        if size > MAX_EVENT_BYTES:
            problems.append(f"event {index}: {size} bytes with overhead (max {MAX_EVENT_BYTES})")
        if previous is not None and timestamp < previous:
            problems.append(f"event {index}: timestamp {timestamp} before the previous {previous}")
        previous = timestamp
    if batch_bytes > MAX_BATCH_BYTES:
        problems.append(f"batch of {batch_bytes} bytes counted with 26 per event (max {MAX_BATCH_BYTES})")
    stamps = [e["timestamp"] for e in events if isinstance(e.get("timestamp"), int)]
    if stamps and max(stamps) - min(stamps) > MAX_SPAN_MS:
        problems.append(f"batch spans {max(stamps) - min(stamps)} ms (max {MAX_SPAN_MS}, 24 h)")
    return problems


def rejected_log_events_info(events, now_ms):
    """rejectedLogEventsInfo as AWS answers a batch (events in time order): tooOldLogEventEndIndex is
    the end (exclusive) of the events over 14 days old, tooNewLogEventStartIndex the first event over
    2 hours ahead; {} when none is. moto answers the index of the last of each instead. (Expiry by
    the group's retention is not modelled: moto keeps no retention either.)"""
    info = {}
    too_old = sum(1 for event in events if event["timestamp"] < now_ms - TOO_OLD_MS)
    if too_old:
        info["tooOldLogEventEndIndex"] = too_old
    too_new = [index for index, event in enumerate(events) if event["timestamp"] > now_ms + TOO_NEW_MS]
    if too_new:
        info["tooNewLogEventStartIndex"] = too_new[0]
    return info
