"""`aws logs pull --output FILE --checkpoint FILE`: exports that resume exactly."""
import gzip
import json

from tests.harness.wireproxy import error_status
from tests.harness.seeded import PULL, expected_lines, numbered, seed

DENIED = error_status(400, "AccessDeniedException", "not now")


def forward(handler, forward):
    forward()


def read(path):
    data = path.read_bytes()
    return (gzip.decompress(data) if path.name.endswith(".gz") else data).decode().splitlines()


def test_output_file_gzip_and_plain(aws, logs, tmp_path):
    events = numbered(12_000)
    seed(logs, events)
    for name in ("out.log", "out.log.gz"):
        result = aws.run(*PULL, "--output-file", tmp_path / name)
        assert result.returncode == 0 and result.stdout == "", result.stderr
        assert read(tmp_path / name) == expected_lines(events)
    assert (tmp_path / "out.log.gz").read_bytes()[:2] == b"\x1f\x8b"


def test_an_interrupted_export_resumes_without_loss_or_duplicates(aws, logs, wire, tmp_path):
    events = numbered(35_000)
    seed(logs, events)
    out, checkpoint = tmp_path / "export.log.gz", tmp_path / "export.checkpoint"
    args = (*PULL, "--output-file", out, "--checkpoint", checkpoint)
    wire.faults.queue(forward, action="GetLogEvents", times=2)  # two pages arrive, then the endpoint refuses
    wire.faults.queue(DENIED, action="GetLogEvents")  # not retried: the run stops
    first = aws.run(*args)
    assert first.returncode != 0 and "AccessDeniedException" in first.stderr
    saved = json.loads(checkpoint.read_text())
    assert saved["events"] == 20_000 and saved["output_bytes"] == out.stat().st_size
    with open(out, "ab") as partial:  # as if a crash came after a write, before the checkpoint
        partial.write(gzip.compress(b"half a page\n"))
    second = aws.run(*args)
    assert second.returncode == 0, second.stderr
    assert read(out) == expected_lines(events)
    assert json.loads(checkpoint.read_text())["events"] == 35_000
    more = numbered(500, start=events[-1][0] + 1)
    logs.put_events("app", "web-1", more)
    third = aws.run(*args)  # a finished export run again adds only what is new
    assert third.returncode == 0, third.stderr
    assert read(out) == expected_lines(events + more)


def test_checkpoint_to_stdout_resumes_from_the_next_page(aws, logs, wire, tmp_path):
    events = numbered(25_000)
    seed(logs, events)
    checkpoint = tmp_path / "cp"
    wire.faults.queue(forward, action="GetLogEvents", times=1)
    wire.faults.queue(DENIED, action="GetLogEvents")  # not retried: the run stops
    first = aws.run(*PULL, "--checkpoint", checkpoint)
    second = aws.run(*PULL, "--checkpoint", checkpoint)
    assert second.returncode == 0, second.stderr
    assert (first.stdout + second.stdout).splitlines() == expected_lines(events)


def test_a_checkpoint_of_another_export_is_refused_in_one_line(aws, logs, tmp_path):
    seed(logs, numbered(10))
    checkpoint = tmp_path / "cp"
    assert aws.run(*PULL, "--checkpoint", checkpoint).returncode == 0
    other = aws.run("logs", "pull", "--log-group-name", "app", "--log-stream-name", "other", "--checkpoint", checkpoint)
    assert other.returncode == 252 and len(other.stderr.strip().splitlines()) == 1
    assert f"--checkpoint: {checkpoint} belongs to another export" in other.stderr
    checkpoint.write_text("not json")
    broken = aws.run(*PULL, "--checkpoint", checkpoint)
    assert broken.returncode == 252 and "is not a checkpoint this command wrote" in broken.stderr
