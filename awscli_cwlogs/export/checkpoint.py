"""pull's ``--output FILE`` (gzip when the name ends in .gz) and ``--checkpoint FILE``.

After each page the output is flushed to disk, then the checkpoint records the token for the
next page and the output's size. A resumed export truncates the output to that size (dropping
whatever was written after the last checkpoint) and asks for the next page: no event is lost
or written twice. A gzip output is a series of gzip members, one per page, so every
checkpointed size is a valid end of the file (gzip, zcat and Python read them as one).
"""
import gzip
import json
import os

from awscli_cwlogs.cli import UsageError

GZIP_LEVEL = 6


class OutputFile:
    """A binary file that pages are appended to; ``keep`` bytes of an earlier run are kept."""

    def __init__(self, path, keep=0):
        self.path = path
        self._gzip = path.endswith(".gz")
        self._file = open(path, "r+b" if keep else "wb")
        size = self._file.seek(0, os.SEEK_END)
        if size < keep:
            self._file.close()
            raise ValueError(f"{path} has {size:,} bytes, fewer than the {keep:,} the checkpoint recorded")
        self._file.truncate(keep)
        self._file.seek(keep)

    def write(self, data):
        self._file.write(gzip.compress(data, GZIP_LEVEL) if self._gzip else data)

    def flush(self):
        self._file.flush()
        os.fsync(self._file.fileno())

    def size(self):
        return self._file.tell()

    def close(self):
        self._file.close()


class Checkpoint:
    """Where an export stands: the token for its next page and the output's size then."""

    def __init__(self, path, identity):
        self.path = path
        self._identity = identity  # the group, stream and output the checkpoint belongs to

    def load(self):
        """The saved state (a dict), or None when there is no checkpoint yet; ValueError if unusable."""
        try:
            with open(self.path) as source:
                saved = json.load(source)
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as error:
            raise ValueError(f"{self.path} is not a checkpoint this command wrote ({error})") from None
        theirs = {key: saved.get(key) for key in self._identity}
        if theirs != self._identity or not isinstance(saved.get("next_token"), str):
            described = ", ".join(f"{key} {value!r}" for key, value in theirs.items())
            raise ValueError(f"{self.path} belongs to another export ({described}); remove it to start over")
        return saved

    def save(self, next_token, output_bytes, events):
        temporary = f"{self.path}.tmp"
        with open(temporary, "w") as out:
            json.dump({**self._identity, "next_token": next_token, "output_bytes": output_bytes, "events": events}, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, self.path)


def open_checkpoint(parsed_args):
    """(Checkpoint, what it saved) of --checkpoint, or (None, None); UsageError naming the option."""
    if not parsed_args.checkpoint:
        return None, None
    output = os.path.abspath(parsed_args.output_file) if parsed_args.output_file else "-"
    checkpoint = Checkpoint(parsed_args.checkpoint, {
        "log_group_name": parsed_args.log_group_name, "log_stream_name": parsed_args.log_stream_name,
        "output": output})
    try:
        return checkpoint, checkpoint.load()
    except ValueError as error:
        raise UsageError(f"--checkpoint: {error}") from None


def open_output(path, keep):
    """The OutputFile of --output-file (``keep``: bytes of an earlier run kept), or None."""
    if not path:
        return None
    try:
        return OutputFile(path, keep)
    except ValueError as error:
        raise UsageError(f"--output-file: {error}; remove the checkpoint to start over") from None
    except OSError as error:
        raise UsageError(f"--output-file: {path}: {error.strerror}") from None
