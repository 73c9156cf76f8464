"""Docker and Kubernetes (CRI) container log layouts on disk, in their real formats, written
the way dockerd's json-file driver and the kubelet write and rotate them."""
import gzip
import hashlib
import json
import os
import shutil
import time
from pathlib import Path


def rfc3339(seconds):
    """A time as the runtimes print it: RFC 3339, nanoseconds, UTC."""
    whole = int(seconds)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)) + f".{int((seconds - whole) * 1e9):09d}Z"


def container_id(name):
    return hashlib.sha256(name.encode()).hexdigest()


class DockerContainer:
    """containers/<id>/ with config.v2.json and <id>-json.log under a data root."""

    def __init__(self, root, name, image="app:1", labels=None, env=None):
        self.id = container_id(name)
        self.folder = Path(root) / "containers" / self.id
        self.folder.mkdir(parents=True)
        self.log = self.folder / f"{self.id}-json.log"
        self.log.touch()
        config = {"ID": self.id, "Name": "/" + name, "LogPath": str(self.log), "State": {"Running": True},
                  "Config": {"Image": image, "Hostname": self.id[:12], "Labels": labels or {},
                             "Env": [f"{key}={value}" for key, value in (env or {}).items()]}}
        (self.folder / "config.v2.json").write_text(json.dumps(config))

    def write(self, texts, stream="stdout", when=None):
        """One record per text, as json-file writes them (a text without newline is a partial record)."""
        with open(self.log, "a") as out:
            for text in texts:
                out.write(json.dumps({"log": text, "stream": stream, "time": rfc3339(when or time.time())}) + "\n")

    def write_lines(self, start, count, stream="stdout"):
        self.write([f"seq {i:09d} from {self.folder.name[:12]} {'x' * 60}\n" for i in range(start, start + count)],
                   stream)

    def rotate(self, max_file=3):
        """json-file's max-file rotation: .1 -> .2 ... (the oldest dropped), the live file -> .1."""
        base = str(self.log)
        for number in range(max_file - 1, 0, -1):
            if os.path.exists(f"{base}.{number}"):
                if number == max_file - 1:
                    os.remove(f"{base}.{number}")
                else:
                    os.rename(f"{base}.{number}", f"{base}.{number + 1}")
        os.rename(base, f"{base}.1")
        self.log.touch()

    def remove(self):
        shutil.rmtree(self.folder)


class CriContainer:
    """/var/log/pods/<ns>_<pod>_<uid>/<container>/0.log and its /var/log/containers symlink."""

    def __init__(self, root, pod, namespace, name):
        self.id = container_id(f"{namespace}/{pod}/{name}")
        self.folder = Path(root) / "pods" / f"{namespace}_{pod}_{self.id[:8]}" / name
        self.folder.mkdir(parents=True)
        self.log = self.folder / "0.log"
        self.log.touch()
        links = Path(root) / "containers"
        links.mkdir(exist_ok=True)
        self.link = links / f"{pod}_{namespace}_{name}-{self.id}.log"
        self.link.symlink_to(self.log)
        self.rotations = 0

    def write(self, texts, stream="stdout", tag="F", when=None):
        with open(self.log, "a") as out:
            out.write("".join(f"{rfc3339(when or time.time())} {stream} {tag} {text}\n" for text in texts))

    def write_lines(self, start, count, stream="stdout"):
        self.write([f"seq {i:09d} {'y' * 60}" for i in range(start, start + count)], stream)

    def rotate(self):
        """The kubelet's way: rename to 0.log.<time>, a new 0.log; the copy before gets gzipped."""
        self.rotations += 1
        for older in self.folder.glob("0.log.*"):
            if older.suffix != ".gz":
                with open(older, "rb") as plain, gzip.open(f"{older}.gz", "wb") as packed:
                    shutil.copyfileobj(plain, packed)
                older.unlink()
        os.rename(self.log, self.folder / f"0.log.20261130-10{self.rotations:04d}")
        self.log.touch()
