"""The last good configuration's parameters, kept in the state folder, so that the agent starts
(with a WARNING) when SSM cannot be reached. The file is 0600: it holds SecureString values
decrypted, as the agent's memory does."""
import json
import os
import tempfile
from pathlib import Path

from awscli_cwlogs.config.documents import Document
from awscli_cwlogs.config.origin import Fetched

FILE_NAME = "last-good-config.json"


class KeptConfig:
    def __init__(self, origin):
        self.path = Path(origin.state_dir) / FILE_NAME
        self._locations = [origin.config_file, origin.additional_dir]

    def save(self, fetched):
        record = {"locations": self._locations, "fetched_at": fetched.at,
                  "parameters": {location: [_as_dict(d) for d in documents]
                                 for location, documents in fetched.documents.items()}}
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, temporary = tempfile.mkstemp(prefix=".last-good-config-", dir=self.path.parent)  # 0600
        try:
            with os.fdopen(handle, "w") as out:
                json.dump(record, out)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            if os.path.exists(temporary):
                os.unlink(temporary)
            raise

    def load(self):
        """(Fetched, None), or (None, why there is none to use)."""
        try:
            record = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None, f"no last good configuration in {self.path}"
        except (OSError, ValueError) as error:
            return None, f"the last good configuration {self.path} is unreadable: {error}"
        if record.get("locations") != self._locations:
            return None, (f"the last good configuration {self.path} is of other locations "
                          f"({' + '.join(filter(None, record.get('locations') or []))})")
        documents = {location: tuple(Document(**d) for d in documents)
                     for location, documents in record["parameters"].items()}
        return Fetched(documents, record.get("fetched_at")), None


def _as_dict(document):
    return {"label": document.label, "text": document.text, "name": document.name, "version": document.version,
            "secret": document.secret}
