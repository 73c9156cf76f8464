"""`aws logs filter` over many log groups: merged in time order, followed while events arrive in
all of them, a group created meanwhile joining."""
import subprocess
import time

from tests.harness.seeded import BASE, DAY, one_line_error, seed
from tests.harness.streams import LineReader, interrupted

GROUPS = [f"/shop/{name}" for name in ("cart", "pay", "ship", "stock", "web")]
TEMPLATE = "{logGroupName} {message}"


def test_a_prefix_of_five_groups_merged_in_time_order(aws, logs):
    expected = []
    for index, group in enumerate(GROUPS):
        events = [(BASE + i * 10 + index, f"{group} {i}") for i in range(400)]  # interleaved across groups
        seed(logs, events, group, "s")
        expected += [(ts, f"{group} {message}") for ts, message in events]
    seed(logs, [(BASE, "another service")], "/other/x", "s")
    run = aws.run("logs", "filter", "--log-group-name-prefix", "/shop/", "--output-format", TEMPLATE)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [line for _, line in sorted(expected)]
    default = aws.run("logs", "filter", "--log-group-names", GROUPS[0], GROUPS[1], "--start-time", str(BASE),
                      "--end-time", str(BASE + 12))  # the end is exclusive
    assert default.stdout.splitlines() == [f"/shop/cart s {DAY}T00:00:00.000Z /shop/cart 0",
                                           f"/shop/pay s {DAY}T00:00:00.001Z /shop/pay 0",
                                           f"/shop/cart s {DAY}T00:00:00.010Z /shop/cart 1",
                                           f"/shop/pay s {DAY}T00:00:00.011Z /shop/pay 1"]


def test_following_five_groups_while_events_arrive_and_a_new_group_joins(aws, logs):
    start = int(time.time() * 1000) - 60_000
    for group in GROUPS:
        seed(logs, [(start, f"{group} first")], group, "s")
    process = aws.popen("logs", "filter", "--log-group-name-prefix", "/shop/", "--follow", "--pull-delay", "100",
                        "--start-time", str(start), "--output-format", "{timestamp} " + TEMPLATE,
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    reader = LineReader(process.stdout)
    written = [f"{group} first" for group in GROUPS]
    try:
        lines = reader.take(5)
        for round_number in range(10):  # events arrive in all of them, one round at a time
            for index, group in enumerate(GROUPS):
                now = int(time.time() * 1000)
                logs.put_events(group, "s", [(now + index, f"{group} round {round_number}")])
                written.append(f"{group} round {round_number}")
            time.sleep(0.2)
        lines += reader.take(50)
        seed(logs, [(int(time.time() * 1000), "/shop/new joined")], "/shop/new", "s")
        lines += reader.take(1, timeout=30)
        time.sleep(1)  # more polls with nothing new
        lines += interrupted(process, reader)
    finally:
        process.kill()
    messages = [line.split(" ", 2)[2].rstrip("\n") for line in lines]
    assert sorted(messages) == sorted(written + ["/shop/new joined"]) and len(set(messages)) == len(messages)
    stamps = [line.split(" ", 1)[0] for line in lines]
    assert stamps == sorted(stamps)  # in time order, across groups and polls
    assert lines[-1].split(" ", 1)[1] == "/shop/new /shop/new joined\n"


def test_group_options_are_one_of_four(aws):
    error = one_line_error(aws.run("logs", "filter", "--log-group-name", "a", "--log-group-name-prefix", "b"))
    assert "give one of --log-group-name, --log-group-names, --log-group-name-prefix and --log-group-name-pattern" \
        in error
    assert "no log group starts with '/nothing/'" in one_line_error(
        aws.run("logs", "filter", "--log-group-name-prefix", "/nothing/"))


def test_pull_reads_whole_groups_and_follows_a_prefix(aws, logs):
    start = int(time.time() * 1000) - 60_000
    seed(logs, [(start, "cart a"), (start + 2, "cart c")], GROUPS[0], "a")
    seed(logs, [(start + 1, "cart b")], GROUPS[0], "b")
    whole = aws.run("logs", "pull", "--log-group-name", GROUPS[0], "--start-time", str(start))
    assert [line.split(" ", 2)[::2] for line in whole.stdout.splitlines()] == [
        ["a", "cart a"], ["b", "cart b"], ["a", "cart c"]]  # every stream, in time order, each with its stream
    seed(logs, [(start, "pay first")], GROUPS[1], "s")
    process = aws.popen("logs", "pull", "--log-group-name-prefix", "/shop/", "--follow", "--pull-delay", "100",
                        "--start-time", str(start), "--output-format", TEMPLATE,
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    reader = LineReader(process.stdout)
    try:
        lines = reader.take(4)
        logs.put_events(GROUPS[1], "s", [(int(time.time() * 1000), "pay later")])
        seed(logs, [(int(time.time() * 1000), "ship joined")], GROUPS[2], "s")
        lines += reader.take(2)
        lines += interrupted(process, reader)
    finally:
        process.kill()
    assert lines == [f"{GROUPS[0]} cart a\n", f"{GROUPS[1]} pay first\n", f"{GROUPS[0]} cart b\n",
                     f"{GROUPS[0]} cart c\n", f"{GROUPS[1]} pay later\n", f"{GROUPS[2]} ship joined\n"]


def test_pull_group_options_that_do_not_go_together(aws):
    assert "--log-stream-name goes with --log-group-name" in one_line_error(
        aws.run("logs", "pull", "--log-group-name-prefix", "/shop/", "--log-stream-name", "s"))
    assert "--checkpoint resumes the export of one stream: give --log-stream-name" in one_line_error(
        aws.run("logs", "pull", "--log-group-name", "app", "--checkpoint", "c.json"))


def test_last_50_over_five_groups_by_prefix_are_the_50_newest_matches_found_newest_first(aws, logs, wire):
    matches = []  # 10,833 in each group: a scan takes two pages of each
    for index, group in enumerate(GROUPS):
        events = [(BASE + i * 10 + index, f"{group} {'INFO' if i % 6 == 0 else 'ERROR'} {i}") for i in range(13_000)]
        seed(logs, events, group, "s")
        matches += [(ts, f"{group} {message}") for ts, message in events if "ERROR" in message]
    newest = sorted(matches)[-50:]
    arguments = ("--log-group-name-prefix", "/shop/", "--filter-pattern", "ERROR", "--output-format", TEMPLATE)
    wire.clear()
    run = aws.run("logs", "filter", *arguments, "--last", "50")
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [line for _, line in newest]  # oldest first
    searches = wire.calls_of("FilterLogEvents")
    assert len(searches) == 5 and all(call.body["startFromHead"] is False and call.body["limit"] == 50
                                      for call in searches)
    wire.clear()
    scan = aws.run("logs", "filter", *arguments)
    assert len(scan.stdout.splitlines()) == len(matches)
    print(f"--last 50: {len(searches)} FilterLogEvents; a scan from the start: {len(wire.calls_of('FilterLogEvents'))}")
    assert len(wire.calls_of("FilterLogEvents")) > len(searches)
    backwards = aws.run("logs", "filter", *arguments, "--last", "3", "--newest-first")
    assert backwards.stdout.splitlines() == [line for _, line in newest[::-1][:3]]
    for extra, message in [(("--last", "5", "--follow"), "not with --follow or --live"),
                           (("--last", "5", "--start-time", "2023-12-31T00:00:00Z"), "is before 2024-01-01"),
                           (("--newest-first",), "--newest-first goes with --last"), (("--last", "0"), "1 or more")]:
        assert message in one_line_error(aws.run("logs", "filter", *arguments, *extra))
