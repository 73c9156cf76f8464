"""``pull --to-s3``: the service exports a group (or a stream) to S3 with an export task. An
account runs one export task at a time, so a new one waits behind the running one."""
import re
import sys
import time

from awscli.customizations.utils import create_client_from_parsed_globals
from botocore.config import Config
from botocore.exceptions import ClientError

from awscli_cwlogs.cli import CommandError, UsageError, create_logs_client, error_code, retry_settings
from awscli_cwlogs.export.download import DownloadFolder
from awscli_cwlogs.timefmt import iso_millis

DEFAULT_PREFIX = "exportedlogs"  # the service's own default destinationPrefix
ACTIVE = ("PENDING", "RUNNING", "PENDING_CANCEL")
FIRST_POLL_S, MAX_POLL_S = 1.0, 15.0
UNLISTED, UNLISTED_RETRY_S = "unlisted", 5.0
CREATE_ATTEMPTS = 8  # CreateExportTask tries on throttling and server errors
TRANSIENT = {"ThrottlingException", "ServiceUnavailableException", "InternalFailure", "RequestTimeout"}
ONCE = {"mode": "standard", "total_max_attempts": 1}  # the creator client: ExportTasks retries it itself
BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


def parse_s3_url(text):
    """(bucket, prefix) of ``s3://BUCKET[/PREFIX]``; ValueError saying what is wrong."""
    if not text.startswith("s3://"):
        raise ValueError(f"'{text}' is not an s3://BUCKET/PREFIX address")
    bucket, _, prefix = text[len("s3://"):].partition("/")
    if not BUCKET_NAME.match(bucket) or ".." in bucket:
        raise ValueError(f"'{bucket}' is not an S3 bucket name (3 to 63 lowercase letters, digits, dots and hyphens)")
    return bucket, prefix.strip("/") or DEFAULT_PREFIX


class ExportTasks:
    """Creates an export task, queued behind the account's active one, and waits for it;
    ``say(line)`` reports each step (waiting, each status, the end). ``creator``: a client that
    sends CreateExportTask once (botocore's retries would take the account's limit,
    LimitExceededException, for throttling and spend their attempts on it)."""

    def __init__(self, client, creator, say, sleep=time.sleep, clock=time.monotonic):
        self._client, self._creator, self._say, self._sleep, self._clock = client, creator, say, sleep, clock

    def create(self, request):
        """The new task's ID, once the service takes it."""
        waited_for, failures = None, 0
        while True:
            try:
                return self._creator.create_export_task(**request)["taskId"]
            except ClientError as error:
                code, status = error_code(error), error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
                if code != "LimitExceededException":
                    failures += 1
                    if failures >= CREATE_ATTEMPTS or (code not in TRANSIENT and status < 500):
                        raise
                    self._sleep(min(FIRST_POLL_S * 2 ** failures, MAX_POLL_S))
                    continue
            blocking = self.active()
            if blocking is None:  # finished meanwhile, or not listed to us: try again shortly
                if waited_for != UNLISTED:
                    waited_for = UNLISTED
                    self._say("the service refuses a new export task (LimitExceededException) and lists no running "
                              f"one; trying again every {UNLISTED_RETRY_S:.0f} s")
                self._sleep(UNLISTED_RETRY_S)
                continue
            if blocking["taskId"] != waited_for:
                waited_for = blocking["taskId"]
                self._say(f"the account runs one export task at a time; waiting behind {describe(blocking)}")
            self.wait(blocking["taskId"], quiet=True)

    def active(self):
        """The account's pending or running export task, or None."""
        for code in ("RUNNING", "PENDING", "PENDING_CANCEL"):
            tasks = self._client.describe_export_tasks(statusCode=code).get("exportTasks", [])
            if tasks:
                return tasks[0]
        return None

    def wait(self, task_id, quiet=False):
        """The task once it has ended; CommandError unless it completed."""
        started, pause, shown = self._clock(), FIRST_POLL_S, None
        while True:
            tasks = self._client.describe_export_tasks(taskId=task_id).get("exportTasks", [])
            if not tasks:
                raise CommandError(f"export task {task_id} is not known to the service")
            task = tasks[0]
            code = task.get("status", {}).get("code", "?")
            if code != shown and not quiet:
                shown = code
                self._say(f"export task {task_id}: {code} after {self._clock() - started:.0f} s")
            if code not in ACTIVE:
                if code != "COMPLETED" and not quiet:
                    message = task.get("status", {}).get("message", "")
                    raise CommandError(f"export task {task_id} ended {code}" + (f": {message}" if message else ""))
                return task
            self._sleep(pause)
            pause = min(pause * 1.5, MAX_POLL_S)


def describe(task):
    """``export task ID of GROUP (STATUS, FROM to TO)``."""
    details = [task.get("status", {}).get("code", "?")]
    if "from" in task and "to" in task:
        details.append(f"{iso_millis(task['from'])} to {iso_millis(task['to'])}")
    return f"export task {task['taskId']} of {task.get('logGroupName', '?')} ({', '.join(details)})"


def export_request(group, stream, bucket, prefix, start, end, now_ms):
    """CreateExportTask's arguments: the window's end is exclusive here, the service's ``to`` inclusive."""
    request = {"logGroupName": group, "fromTime": start or 0, "to": end - 1 if end is not None else now_ms,
               "destination": bucket, "destinationPrefix": prefix, "taskName": f"aws-logs-pull-{now_ms}"}
    if stream:
        request["logStreamNamePrefix"] = stream  # a prefix: the download keeps the one stream
    return request


def run_export(tasks, request, folder, say):
    """Creates the task (or, with a download folder that names one, goes on with it) and waits
    for it; the finished task."""
    task_id = folder.task["taskId"] if folder is not None and folder.task else None
    if task_id:
        say(f"going on with export task {task_id}, which {folder.folder} was downloading "
            "(the time window is that task's)")
    else:
        task_id = tasks.create(request)
        say(f"export task {task_id}: {request['logGroupName']}"
            + (f" streams starting with {request['logStreamNamePrefix']}" if "logStreamNamePrefix" in request else "")
            + f", {iso_millis(request['fromTime'])} to {iso_millis(request['to'])} (inclusive)")
        if folder is not None:
            folder.begin({"taskId": task_id})
    try:
        return tasks.wait(task_id)
    except KeyboardInterrupt:
        say(f"export task {task_id} goes on in the service; run the same command again to wait for it "
            f"(and download), or stop it with: aws logs cancel-export-task --task-id {task_id}")
        raise


def export_to_s3(session, parsed_globals, parsed_args, start, end, say):
    """``pull --to-s3`` (and ``--download``): the export task for the window, then its objects fetched."""
    if not parsed_args.to_s3:
        raise UsageError("--download goes with --to-s3")
    given = [name for name in ("follow", "live", "checkpoint", "output_file", "output_format", "log_group_names",
                               "log_group_name_prefix", "log_group_name_pattern") if getattr(parsed_args, name)]
    if given or not parsed_args.log_group_name:
        raise UsageError("--to-s3 exports one log group (--log-group-name) or one stream, with the time options; "
                         + (f"not with --{given[0].replace('_', '-')}" if given else "give --log-group-name"))
    try:
        bucket, prefix = parse_s3_url(parsed_args.to_s3)
    except ValueError as error:
        raise UsageError(f"--to-s3: {error}") from None
    group, stream = parsed_args.log_group_name, parsed_args.log_stream_name
    folder = None
    if parsed_args.download:
        identity = {"group": group, "stream": stream, "destination": f"s3://{bucket}/{prefix}"}
        try:
            folder = DownloadFolder(parsed_args.download, identity)
        except (ValueError, OSError) as error:
            raise UsageError(f"--download: {error}") from None
    tasks = ExportTasks(create_logs_client(session, parsed_globals),
                        create_logs_client(session, parsed_globals, retries=ONCE), say)
    request = export_request(group, stream, bucket, prefix, start, end, int(time.time() * 1000))
    task = run_export(tasks, request, folder, say)
    sys.stdout.write(f"s3://{bucket}/{prefix}/{task['taskId']}/\n")
    sys.stdout.flush()
    if folder is not None:
        retries = retry_settings(session)
        s3 = create_client_from_parsed_globals(session, "s3", parsed_globals,
                                               {"config": Config(retries=retries)} if retries else {})
        objects, lines, files = folder.fetch(s3, bucket, prefix, stream)
        if not objects:
            say(f"s3://{bucket}/{prefix}/{task['taskId']}/ holds no exported objects"
                      + (f" of stream {stream}" if stream else "") + ": the window has no events")
        say(f"downloaded into {parsed_args.download}: {lines:,} line(s) written now; {objects} object(s) "
                  f"in {files} file(s) in all")
    return 0
