"""Destinations per file and per event from {file_name} and {date}."""
from awscli_cwlogs.cloudwatch.routing import DAY_MS, Router

MIDNIGHT = 1_795_132_800_000  # 2026-11-20T00:00:00Z


def event(ms, n):
    return (ms, f"m{n}", 2, n)


def test_static_names_are_one_run_without_per_event_work():
    router = Router("g", "s")
    events = [event(MIDNIGHT + i, i) for i in range(3)]
    assert router.static == ("g", "s") and router.runs({"file_name": "a.log"}, events) == [(("g", "s"), events)]


def test_date_splits_runs_at_midnight_utc_and_back():
    router = Router("g", "{file_name}-{date}")
    events = [event(MIDNIGHT - 1, 0), event(MIDNIGHT, 1), event(MIDNIGHT + 5, 2), event(MIDNIGHT - 2, 3)]
    runs = router.runs({"file_name": "app.log"}, events)
    assert [(destination[1], [e[3] for e in run]) for destination, run in runs] == [
        ("app.log-2026-11-19", [0]), ("app.log-2026-11-20", [1, 2]), ("app.log-2026-11-19", [3])]
    assert router.destination({"file_name": "x.log"}, MIDNIGHT + DAY_MS) == ("g", "x.log-2026-11-21")


def test_file_names_are_made_safe_for_group_names():
    router = Router("logs/{file_name}", "s")
    assert router.destination({"file_name": "my app:1*.log"}, 0) == ("logs/my_app_1_.log", "s")


def test_journal_values_fill_unit_and_identifier():
    router = Router("g", "{unit}/{identifier}")
    assert router.static is None
    assert router.destination({"unit": "user@1000.service", "identifier": "systemd"}, 0) == (
        "g", "user_1000.service/systemd")
