"""Export tasks to S3 as the service runs them, served by the wire proxy. moto's finish at once,
put each stream under a random folder instead of the task's and drop the milliseconds; here:
one active task per account (LimitExceededException for a second), PENDING then RUNNING then
COMPLETED over ``run_s``, objects ``<prefix>/<task id>/<stream>/000000.gz`` (then 000001.gz ...)
of ``lines_per_object`` lines ``<ISO time> <message>``, and the service's
``<prefix>/aws-logs-write-test`` object. Events come from moto's Logs and objects go to its S3."""
import gzip
import threading
import time
import uuid

from tests.harness.logsapi import LogsApi
from tests.harness.s3api import S3Api

ACTIVE = ("PENDING", "RUNNING")


def export_line(timestamp, message):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(timestamp // 1000)) + f".{timestamp % 1000:03d}Z {message}"


class ExportService:
    def __init__(self, upstream_url):
        self._logs, self._s3 = LogsApi(upstream_url), S3Api(upstream_url)
        self._lock = threading.Lock()
        self.tasks = {}
        self.run_s, self.lines_per_object = 0.5, 1000

    def clear(self):
        with self._lock:
            self.tasks = {}
        self.run_s, self.lines_per_object = 0.5, 1000

    def answer(self, action, body):
        """(HTTP status, JSON answer) of an export-task action."""
        try:
            return 200, getattr(self, f"_{action}")(body)
        except _Refused as refusal:
            return 400, {"__type": refusal.args[0], "message": refusal.args[1]}

    def _CreateExportTask(self, body):
        for name in ("logGroupName", "from", "to", "destination"):
            if body.get(name) is None:
                raise _Refused("InvalidParameterException", f"{name} is required")
        if body["from"] > body["to"]:
            raise _Refused("InvalidParameterException", "from must not be after to")
        if not self._s3.bucket_exists(body["destination"]):
            raise _Refused("InvalidParameterException",
                           "The given bucket does not exist. Please make sure the bucket is valid.")
        if not self._group_exists(body["logGroupName"]):
            raise _Refused("ResourceNotFoundException", "The specified log group does not exist.")
        return {"taskId": self.start(body, self.run_s)}

    def start(self, body, run_s):
        """A task, as if created now; it runs for ``run_s`` seconds."""
        with self._lock:
            if any(task["status"]["code"] in ACTIVE for task in self.tasks.values()):
                raise _Refused("LimitExceededException", "Resource limit exceeded.")
            task_id = str(uuid.uuid4())
            self.tasks[task_id] = {
                "taskId": task_id, "taskName": body.get("taskName", task_id), "logGroupName": body["logGroupName"],
                "from": body["from"], "to": body["to"], "destination": body["destination"],
                "destinationPrefix": body.get("destinationPrefix", "exportedlogs"),
                "status": {"code": "PENDING", "message": "Pending"},
                "executionInfo": {"creationTime": int(time.time() * 1000)},
                "logStreamNamePrefix": body.get("logStreamNamePrefix", "")}
        steps = ((run_s / 2, self._set, (task_id, "RUNNING", "Running")), (run_s, self._run, (task_id,)))
        for after, step, args in steps:
            timer = threading.Timer(after, step, args)
            timer.daemon = True
            timer.start()
        return task_id

    def _DescribeExportTasks(self, body):
        with self._lock:
            tasks = [dict(task) for task in self.tasks.values()
                     if body.get("taskId") in (None, task["taskId"])
                     and body.get("statusCode") in (None, task["status"]["code"])]
        for task in tasks:
            task.pop("logStreamNamePrefix")
        return {"exportTasks": tasks}

    def _CancelExportTask(self, body):
        task = self.tasks.get(body.get("taskId"))
        if task is None:
            raise _Refused("ResourceNotFoundException", "The specified export task does not exist.")
        if task["status"]["code"] not in ACTIVE:
            raise _Refused("InvalidOperationException", "The specified export task has already finished")
        self._set(task["taskId"], "CANCELLED", "Cancelled by user")
        return {}

    def _set(self, task_id, code, message):
        with self._lock:
            task = self.tasks.get(task_id)
            if task is None or task["status"]["code"] not in ACTIVE:
                return False
            task["status"] = {"code": code, "message": message}
            if code not in ACTIVE:
                task["executionInfo"]["completionTime"] = int(time.time() * 1000)
            return True

    def _run(self, task_id):
        task = self.tasks.get(task_id)
        if task is None or task["status"]["code"] not in ACTIVE:
            return
        bucket, prefix = task["destination"], task["destinationPrefix"]
        self._s3.put(bucket, f"{prefix}/aws-logs-write-test", b"Permission Check Successful")
        for stream in self._logs.stream_names(task["logGroupName"]):
            if not stream.startswith(task["logStreamNamePrefix"]):
                continue
            lines = [export_line(event["timestamp"], event["message"])
                     for event in self._logs.stored_events(task["logGroupName"], stream)
                     if task["from"] <= event["timestamp"] <= task["to"]]
            for number, first in enumerate(range(0, len(lines), self.lines_per_object)):
                data = "".join(line + "\n" for line in lines[first:first + self.lines_per_object])
                self._s3.put(bucket, f"{prefix}/{task_id}/{stream}/{number:06d}.gz", gzip.compress(data.encode()))
        self._set(task_id, "COMPLETED", "Completed successfully")

    def _group_exists(self, group):
        found = self._logs.call("DescribeLogGroups", {"logGroupNamePrefix": group})["logGroups"]
        return any(entry["logGroupName"] == group for entry in found)


class _Refused(Exception):
    """(error code, message) the service answers with."""
