"""What a section's publisher writes to the agent's state: after each accepted batch, the
positions it reached and its counts (rejected events included); after a failed request, the
error (for --status). The state file's own trouble never reaches here: the store ships on from
memory and writes the file when the disk allows (statefile.py)."""
import logging
import sqlite3

LOG = logging.getLogger("awscli_cwlogs")


class StateRecord:
    def __init__(self, store, stream):
        self._store = store
        self._group, self._stream, self._section = stream.log_group_name, stream.log_stream_name, stream.section
        self._rejected = {}  # too_old/too_new/expired/refused since the last save

    def rejected(self, name, number):
        self._rejected[name] = self._rejected.get(name, 0) + number

    def accepted(self, batch, accepted_bytes):
        counts = {"events_sent": batch.count, "batches_sent": 1 if batch.count else 0, "filtered": batch.filtered,
                  "message_bytes": accepted_bytes, **self._rejected, **batch.noted}
        try:
            self._store.save(self._group, self._stream, saved_rows(batch), counts)
            self._rejected = {}
            for folder in batch.forget:
                self._store.forget_under(self._group, self._stream, folder)
        except sqlite3.Error as error:  # the memory copy itself failed: keep the publisher thread shipping
            LOG.error("[%s] cannot record an accepted batch in the agent's state: %s", self._section, error)

    def error(self, reason):
        try:
            self._store.record_error(self._group, self._stream, reason)
        except sqlite3.Error as error:  # as above
            LOG.error("[%s] cannot record an error in the agent's state: %s", self._section, error)


def saved_rows(batch):
    """{key: row} the state file keeps once the batch was accepted: each origin's row at its
    last event in the batch, and what an origin adds on acceptance (the journal's Watermark)."""
    positions = {key: origin.state_row(position) for key, (origin, position) in batch.checkpoints.items()
                 if key is not None and key[0] is not None and position is not None}
    for origin, position in batch.checkpoints.values():
        if position is not None and hasattr(origin, "accepted"):  # e.g. the journal's Watermark
            positions.update(origin.accepted(position))
    return positions
