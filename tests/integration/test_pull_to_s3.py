"""`aws logs pull --to-s3 [--download DIR]`: export tasks as the service runs them (tests/harness/exports.py,
served by the wire proxy), objects in moto's S3, downloads that resume."""
import os
import signal
import subprocess

from tests.harness.exports import export_line
from tests.harness.s3api import S3Api
from tests.harness.seeded import BASE, DAY, one_line_error, seed
from tests.harness.streams import LineReader
from tests.harness.wireproxy import sts_error

BUCKET = "exports"
START, END = BASE + 1000, BASE + 3_000_000  # the window: [START, END)


def seeded(logs, moto):
    """Three streams with events inside and outside the window; the lines a download must hold."""
    expected = {}
    for stream, count, step in (("web-1", 2600, 997), ("web-10", 30, 50_000), ("k8s/pod/app", 5, 700_000)):
        events = [(BASE + i * step, f"{stream} line {i} ünï {{x}}") for i in range(count)]
        seed(logs, events, "app", stream)
        expected[stream] = [export_line(ts, message) + "\n" for ts, message in events if START <= ts < END]
    S3Api(moto.url).create_bucket(BUCKET)
    return expected


def export(aws, *args):
    return aws.run("logs", "pull", "--log-group-name", "app", "--start-time", str(START), "--end-time", str(END),
                   "--to-s3", f"s3://{BUCKET}/app", *args)


def test_export_and_download_give_every_event_of_the_window_once_in_order(aws, logs, moto, wire, tmp_path):
    expected = seeded(logs, moto)
    wire.exports.lines_per_object = 1000  # web-1 comes in three objects
    run = export(aws, "--download", tmp_path / "dl")
    assert run.returncode == 0, run.stderr
    task_id = wire.exports.tasks and next(iter(wire.exports.tasks))
    assert run.stdout == f"s3://{BUCKET}/app/{task_id}/\n"
    say = run.stderr.splitlines()
    assert say[0] == (f"aws logs pull: export task {task_id}: app, {DAY}T00:00:01.000Z to "
                      f"{DAY}T00:49:59.999Z (inclusive)")
    assert [line.split(": ", 2)[2].split(" after")[0] for line in say[1:-1]][-1] == "COMPLETED"
    total = sum(map(len, expected.values()))
    assert total == 2598 + 29 + 4
    assert say[-1] == (f"aws logs pull: downloaded into {tmp_path / 'dl'}: {total:,} line(s) written now; 5 object(s) "
                       "in 3 file(s) in all")
    for stream, lines in expected.items():
        name = stream.replace("/", "%2F") + ".log"
        assert (tmp_path / "dl" / name).read_text().splitlines(keepends=True) == lines, stream
    assert sorted(os.listdir(tmp_path / "dl")) == [".cwlogs-export.json", "k8s%2Fpod%2Fapp.log", "web-1.log",
                                                   "web-10.log"]


def test_one_stream_only_and_a_second_export_waits_behind_the_running_one(aws, logs, moto, wire, tmp_path):
    expected = seeded(logs, moto)
    other = wire.exports.start({"logGroupName": "app", "from": 0, "to": 1, "destination": BUCKET}, run_s=3)
    run = export(aws, "--log-stream-name", "web-1", "--download", tmp_path / "dl")
    assert run.returncode == 0, run.stderr
    assert (f"aws logs pull: the account runs one export task at a time; waiting behind export task {other} of app "
            "(") in run.stderr
    assert sorted(os.listdir(tmp_path / "dl")) == [".cwlogs-export.json", "web-1.log"]  # not web-10
    assert (tmp_path / "dl" / "web-1.log").read_text().splitlines(keepends=True) == expected["web-1"]
    assert wire.exports.tasks[other]["status"]["code"] == "COMPLETED"


def test_an_interrupted_download_goes_on_with_the_same_task_and_writes_nothing_twice(aws, logs, moto, wire,
                                                                                     tmp_path):
    expected = seeded(logs, moto)
    wire.exports.lines_per_object = 500
    passed = lambda handler, forward: forward()  # noqa: E731
    for fault in (passed, passed, passed, sts_error("AccessDenied", "Access Denied")):  # list, 2 objects, then no
        wire.faults.queue(fault, action="")
    first = export(aws, "--download", tmp_path / "dl")
    assert first.returncode == 255 and "AccessDenied" in first.stderr and "Traceback" not in first.stderr
    with open(tmp_path / "dl" / "web-1.log", "ab") as half:
        half.write(f"{DAY}T00:00:01.000Z half an object that was being written\n".encode())
    again = export(aws, "--download", tmp_path / "dl")
    assert again.returncode == 0, again.stderr
    assert "going on with export task" in again.stderr
    assert len(wire.calls_of("CreateExportTask")) == 1
    for stream, lines in expected.items():
        name = stream.replace("/", "%2F") + ".log"
        assert (tmp_path / "dl" / name).read_text().splitlines(keepends=True) == lines, stream


def test_export_arguments_and_service_errors_are_one_line(aws, logs, moto, tmp_path):
    seeded(logs, moto)
    assert "--to-s3: 'x' is not an S3 bucket name" in one_line_error(
        aws.run("logs", "pull", "--log-group-name", "app", "--to-s3", "s3://x/p"))
    assert "--download goes with --to-s3" in one_line_error(
        aws.run("logs", "pull", "--log-group-name", "app", "--download", str(tmp_path)))
    assert "--to-s3 exports one log group (--log-group-name) or one stream, with the time options; not with --follow" \
        in one_line_error(export(aws, "--follow"))
    assert "InvalidParameterException: The given bucket does not exist" in one_line_error(
        aws.run("logs", "pull", "--log-group-name", "app", "--to-s3", "s3://no-such-bucket"))
    (tmp_path / "dl").mkdir()
    assert export(aws, "--download", tmp_path / "dl").returncode == 0
    assert "holds the download of another export (app to s3://exports/app); give another folder" in one_line_error(
        aws.run("logs", "pull", "--log-group-name", "app", "--to-s3", f"s3://{BUCKET}/other", "--download",
                str(tmp_path / "dl")))


def test_ctrl_c_while_the_task_runs_says_how_to_go_on_or_cancel(aws, logs, moto, wire, tmp_path):
    seeded(logs, moto)
    wire.exports.run_s = 60
    process = aws.popen("logs", "pull", "--log-group-name", "app", "--to-s3", f"s3://{BUCKET}/app", "--download",
                        tmp_path / "dl", stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    errors = LineReader(process.stderr)
    try:
        errors.take(2)  # created, PENDING
        process.send_signal(signal.SIGINT)
        assert process.wait(15) == 130
    finally:
        process.kill()
    task_id = next(iter(wire.exports.tasks))
    assert errors.rest() == [f"aws logs pull: export task {task_id} goes on in the service; run the same command "
                             "again to wait for it (and download), or stop it with: aws logs cancel-export-task "
                             f"--task-id {task_id}\n"]
