"""Every CloudWatch Logs limit and overhead the agent builds its requests to, in one place
(the figures and their sources: shared/REFERENCE.md). The tests' wire check keeps its own copy
on purpose: it must not trust these."""

# PutLogEvents: a batch
MAX_BATCH_COUNT = 10_000  # events
MAX_BATCH_SIZE = 1_048_576  # bytes, counted as the sum of (UTF-8 message bytes + EVENT_OVERHEAD)
EVENT_OVERHEAD = 26  # bytes the service adds to each event's message
MAX_SPAN_MS = 24 * 3600 * 1000  # from the batch's oldest event to its newest
# one event may fill a whole batch (the service's limit per event is 1 MB since 2025-04)
MAX_MESSAGE_BYTES = MAX_BATCH_SIZE - EVENT_OVERHEAD

# events the service rejects one by one (rejectedLogEventsInfo)
TOO_OLD_S = 14 * 86_400
TOO_NEW_S = 2 * 3600

# PutRetentionPolicy: the only values it takes
RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827,
                  2192, 2557, 2922, 3288, 3653)

# Logs Insights
MAX_QUERY_GROUPS = 50  # log groups one StartQuery takes
MAX_QUERY_ROWS = 100_000  # rows one Logs Insights QL query gives at most (StartQuery's limit), by pages
QUERY_PAGE_ROWS = 10_000  # rows one GetQueryResults gives at most (maxItems); SQL and PPL: all their rows
