"""``pull --to-s3 --download DIR``: an export task's objects, fetched from S3 and written
uncompressed, one file per stream (``DIR/<stream>.log``), each in its objects' order. A record in
the folder (``.cwlogs-export.json``) holds the task and, per object written, the size its stream's
file had then: a download interrupted at any point and run again truncates what was half written
and goes on, writing nothing twice."""
import json
import os
import re
import zlib
from urllib.parse import quote

RECORD = ".cwlogs-export.json"
OBJECT_NAME = re.compile(r"(\d+)\.gz$")


class DownloadFolder:
    """The folder and its record. ``identity``: what the export is of (group, stream, destination);
    a folder that holds another export is refused (ValueError)."""

    def __init__(self, folder, identity):
        self.folder, self._identity = folder, identity
        self._path = os.path.join(folder, RECORD)
        os.makedirs(folder, exist_ok=True)
        self.record = {"identity": identity, "task": None, "done": {}, "sizes": {}}
        if os.path.exists(self._path):
            with open(self._path, encoding="utf-8") as saved:
                record = json.load(saved)
            if record.get("identity") != identity:
                theirs = record.get("identity", {})
                raise ValueError(f"{folder} holds the download of another export ({theirs.get('group')} to "
                                 f"{theirs.get('destination')}); give another folder")
            self.record = record

    @property
    def task(self):
        return self.record["task"]

    def begin(self, task):
        self.record["task"] = task
        self._save()

    def fetch(self, s3, bucket, prefix, stream=None, progress=None):
        """Writes the objects not written yet; (objects, lines, files) written in all."""
        task_prefix = f"{prefix}/{self.task['taskId']}/"
        written_lines = 0
        for key, name in export_objects(s3, bucket, task_prefix, stream):
            if key in self.record["done"]:
                continue
            written_lines += self._append(file_name(name), s3.get_object(Bucket=bucket, Key=key)["Body"])
            self.record["done"][key] = file_name(name)
            self.record["sizes"][file_name(name)] = os.path.getsize(os.path.join(self.folder, file_name(name)))
            self._save()
            if progress is not None:
                progress(len(self.record["done"]))
        return len(self.record["done"]), written_lines, len(self.record["sizes"])

    def _append(self, name, body):
        """Appends the gunzipped ``body`` after what the record says file ``name`` holds; its lines."""
        lines = 0
        with open(os.path.join(self.folder, name), "ab") as out:
            out.truncate(self.record["sizes"].get(name, 0))  # half an object, from an interrupted run
            for data in gunzipped(body.iter_chunks(1 << 20)):
                out.write(data)
                lines += data.count(b"\n")
            out.flush()
            os.fsync(out.fileno())
        return lines

    def _save(self):
        temporary = self._path + ".new"
        with open(temporary, "w", encoding="utf-8") as out:
            json.dump(self.record, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, self._path)


def export_objects(s3, bucket, task_prefix, stream=None):
    """(key, stream) of the task's objects, by stream and then in their numbered order."""
    found = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=task_prefix):
        for entry in page.get("Contents", []):
            name, _, object_name = entry["Key"][len(task_prefix):].rpartition("/")
            number = OBJECT_NAME.match(object_name)
            if number and name and (stream is None or name == stream):
                found.append((name, int(number.group(1)), entry["Key"]))
    return [(key, name) for name, _, key in sorted(found)]


def file_name(stream):
    """A file name for a stream's lines: ``/`` and other unsafe characters %-escaped, so that
    each stream has its own file."""
    return quote(stream, safe="$[]@=+,-_.~ ") + ".log"


def gunzipped(chunks):
    """The data of gzip ``chunks`` (one member or several, as concatenated gzip files are)."""
    decompressor = zlib.decompressobj(wbits=31)
    for chunk in chunks:
        while chunk:
            yield decompressor.decompress(chunk)
            chunk = decompressor.unused_data
            if chunk:
                decompressor = zlib.decompressobj(wbits=31)
    yield decompressor.flush()
