"""pull --to-s3 without I/O: the S3 address, the task's window, queueing behind the account's task,
the objects' order, and gzip members."""
import gzip

import pytest

from awscli_cwlogs.export.download import export_objects, file_name, gunzipped
from awscli_cwlogs.export.tos3 import ExportTasks, export_request, parse_s3_url
from tests.harness.scripted import client_error


def test_s3_addresses():
    assert parse_s3_url("s3://logs-archive/app/2026/") == ("logs-archive", "app/2026")
    assert parse_s3_url("s3://logs-archive") == ("logs-archive", "exportedlogs")
    for bad, why in (("logs-archive/app", "is not an s3://BUCKET/PREFIX address"), ("s3://Logs", "not an S3 bucket"),
                     ("s3://ab", "not an S3 bucket"), ("s3://a..b", "not an S3 bucket")):
        with pytest.raises(ValueError, match=why):
            parse_s3_url(bad)


def test_the_window_end_is_exclusive_here_and_inclusive_for_the_service():
    request = export_request("app", "web-1", "b", "p", None, 5000, now_ms=9000)
    assert (request["fromTime"], request["to"], request["logStreamNamePrefix"]) == (0, 4999, "web-1")
    assert export_request("app", None, "b", "p", 10, None, now_ms=9000)["to"] == 9000


class FakeTasks:
    def __init__(self, refusals, statuses):
        self.refusals, self.statuses, self.created = list(refusals), list(statuses), []

    def create_export_task(self, **request):
        if self.refusals:
            raise client_error(self.refusals.pop(0))
        self.created.append(request)
        return {"taskId": "mine"}

    def describe_export_tasks(self, taskId=None, statusCode=None):
        if statusCode is not None:
            return {"exportTasks": [{"taskId": "theirs", "logGroupName": "other", "status": {"code": "RUNNING"}}]
                    if statusCode == "RUNNING" and self.statuses else []}
        return {"exportTasks": [{"taskId": taskId, "status": {"code": self.statuses.pop(0)}}]}


def test_a_new_task_waits_behind_the_running_one_and_says_so_once():
    said, slept = [], []
    fake = FakeTasks(["LimitExceededException", "LimitExceededException"], ["RUNNING", "COMPLETED", "COMPLETED"])
    tasks = ExportTasks(fake, fake, said.append, sleep=slept.append)
    assert tasks.create({"logGroupName": "app"}) == "mine"
    assert said == ["the account runs one export task at a time; waiting behind export task theirs of other "
                    "(RUNNING)"]
    assert len(fake.created) == 1


def test_throttling_is_tried_again_and_other_errors_are_not():
    fake = FakeTasks(["ThrottlingException"], [])
    slept = []
    assert ExportTasks(fake, fake, print, sleep=slept.append).create({}) == "mine" and slept == [2.0]
    with pytest.raises(Exception, match="InvalidParameterException"):
        ExportTasks(fake, FakeTasks(["InvalidParameterException"], []), print, sleep=slept.append).create({})


class FakeS3:
    def __init__(self, keys):
        self.keys = keys

    def get_paginator(self, name):
        return self

    def paginate(self, Bucket, Prefix):
        yield {"Contents": [{"Key": key} for key in self.keys if key.startswith(Prefix)]}


def test_objects_come_by_stream_then_by_number():
    keys = ["p/t/web-1/000010.gz", "p/t/web-1/000002.gz", "p/t/a/b/000000.gz", "p/aws-logs-write-test",
            "p/t/web-10/000000.gz", "p/t/web-1/notes.txt"]
    assert export_objects(FakeS3(keys), "b", "p/t/") == [
        ("p/t/a/b/000000.gz", "a/b"), ("p/t/web-1/000002.gz", "web-1"), ("p/t/web-1/000010.gz", "web-1"),
        ("p/t/web-10/000000.gz", "web-10")]
    assert [key for key, _ in export_objects(FakeS3(keys), "b", "p/t/", stream="web-1")] == [
        "p/t/web-1/000002.gz", "p/t/web-1/000010.gz"]
    assert file_name("2026/11/20/[$LATEST]abc") == "2026%2F11%2F20%2F[$LATEST]abc.log"


def test_gzip_members_in_chunks_of_any_size():
    data = gzip.compress(b"one\ntwo\n") + gzip.compress(b"three\n")
    for size in (1, 7, len(data)):
        assert b"".join(gunzipped(data[i:i + size] for i in range(0, len(data), size))) == b"one\ntwo\nthree\n"


def test_a_refusal_with_no_running_task_listed_is_said_once_and_tried_again():
    said, slept = [], []
    fake = FakeTasks(["LimitExceededException"] * 3, [])
    assert ExportTasks(fake, fake, said.append, sleep=slept.append).create({}) == "mine"
    assert said == ["the service refuses a new export task (LimitExceededException) and lists no running one; "
                    "trying again every 5 s"]
    assert slept == [5.0] * 3
