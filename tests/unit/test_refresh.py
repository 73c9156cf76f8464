"""config/refresh.py: when the agent looks at its parameters (a fleet's load on SSM), and what
the refresh thread hands to the main loop."""
import logging
import random
import statistics
from collections import Counter

import pytest

from awscli_cwlogs.config.documents import Document
from awscli_cwlogs.config.origin import Fetched
from awscli_cwlogs.config.parameters import FetchError
from awscli_cwlogs.config.refresh import JITTER, MOST_BACKOFF, ConfigWatcher, FetchRecord, RefreshSchedule

SSM_DEFAULT_TPS = 40  # Parameter Store's default throughput, shared by GetParameter, GetParameters, GetParametersByPath
CALLS_PER_LOOK = 2  # GetParameter (--config-file) + one page of GetParametersByPath (--additional-configs-dir)
DEFAULT_REFRESH_S = 300


def test_each_wait_is_the_interval_jittered():
    assert RefreshSchedule(300, rng=lambda: 0.0).after_success() == 300 * (1 - JITTER)
    assert RefreshSchedule(300, rng=lambda: 1.0).after_success() == 300 * (1 + JITTER)
    waits = [RefreshSchedule(300, rng=random.Random(seed).random).after_success() for seed in range(1000)]
    assert 150 <= min(waits) < 160 and 440 < max(waits) <= 450


def test_after_failures_it_waits_longer_than_the_interval_doubling_to_a_cap():
    schedule = RefreshSchedule(300, rng=lambda: 0.5)
    assert [schedule.after_failure() for _ in range(5)] == [300, 600, 1200, 1200, 1200]
    assert MOST_BACKOFF * 300 == 1200
    assert schedule.after_success() == 300 and schedule.failures == 0
    start = RefreshSchedule(120, rng=lambda: 0.5, first_backoff=5)
    assert [start.after_failure() for _ in range(4)] == [5, 10, 20, 40]


def fleet_calls(agents, interval, seconds, outage=(0, 0)):
    """Calls per second of a fleet restarted in the same second (its worst case: every agent's
    schedule starts together), after the start fetch; during ``outage`` every look fails."""
    calls = Counter()
    for agent in range(agents):
        schedule = RefreshSchedule(interval, rng=random.Random(agent).random)
        now = schedule.after_success()
        while now < seconds:
            calls[int(now)] += CALLS_PER_LOOK
            failed = outage[0] <= now < outage[1]
            now += schedule.after_failure() if failed else schedule.after_success()
    return [calls.get(second, 0) for second in range(seconds)]


def test_a_thousand_agents_stay_under_ssm_default_throughput():
    per_second = fleet_calls(1000, DEFAULT_REFRESH_S, 6 * 3600)
    peak, mean = max(per_second), statistics.mean(per_second)
    print(f"1,000 agents, refresh {DEFAULT_REFRESH_S} s: mean {mean:.2f} calls/s, peak {peak} in one second "
          f"(SSM's default: {SSM_DEFAULT_TPS})")
    assert peak < SSM_DEFAULT_TPS
    assert 6.0 < mean < 7.2  # 1,000 x 2 calls / 300 s = 6.7
    first_window = per_second[:DEFAULT_REFRESH_S * 2]  # the first looks after the common start are spread
    assert sum(1 for calls in first_window if calls) > DEFAULT_REFRESH_S * 0.8


def test_a_thousand_agents_call_less_during_an_outage_and_spread_after_it():
    outage = (3600, 5400)  # 30 minutes of SSM failing every call
    per_second = fleet_calls(1000, DEFAULT_REFRESH_S, 3 * 3600, outage)
    during = per_second[outage[0] + DEFAULT_REFRESH_S:outage[1]]
    after = per_second[outage[1]:]
    print(f"outage: mean {statistics.mean(during):.2f} calls/s during, peak {max(after)} after")
    assert statistics.mean(during) < statistics.mean(per_second[:outage[0]]) / 2
    assert max(after) < SSM_DEFAULT_TPS


class FakeOrigin:
    def __init__(self, answers):
        self.answers = answers  # Fetched or FetchError, taken in turn; the last one repeats

    def fetch(self, reader):
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer

    def describe(self):
        return "ssm:/x/main"


def fetched(version, at=1.0):
    return Fetched({"ssm:/x/main": (Document("ssm:/x/main", "", "/x/main", version),)}, at)


def watcher_for(answers, first=fetched(1)):
    requests = []
    record = FetchRecord(FakeOrigin([]))
    watcher = ConfigWatcher(FakeOrigin(answers), None, first, RefreshSchedule(1), record, lambda: requests.append(1))
    return watcher, requests, record


def test_only_a_change_is_handed_over_once():
    watcher, requests, _ = watcher_for([fetched(1), fetched(2), fetched(2), fetched(3)])
    delivered = []
    for _ in range(4):
        watcher._look(asked=False)
        delivered.append(watcher.take())
    assert [d and d.versions[0][1] for d in delivered] == [None, 2, None, 3] and len(requests) == 2


def test_a_sighup_hands_over_what_it_fetched_even_unchanged_or_the_last_when_ssm_fails():
    watcher, requests, _ = watcher_for([fetched(1), FetchError("ssm:/x/main: down")])
    watcher._look(asked=True)
    assert watcher.take().versions == (("/x/main", 1),)
    watcher._look(asked=True)
    assert watcher.take().versions == (("/x/main", 1),) and len(requests) == 2


def test_an_outage_is_logged_once_counted_and_its_end_said(caplog, monkeypatch):
    monkeypatch.setattr(logging.getLogger("awscli_cwlogs"), "propagate", True)
    caplog.set_level(logging.INFO, logger="awscli_cwlogs")
    throttled = FetchError("ssm:/x/main: ThrottlingException: Rate exceeded", throttled=True)
    watcher, _, record = watcher_for([throttled, throttled, throttled, fetched(1)])
    waits = [watcher._look(asked=False) for _ in range(4)]
    assert waits[0] >= 0.5 and waits[2] >= 2.0  # 1, 2, 4 s jittered: backing off
    messages = [r.getMessage() for r in caplog.records]
    assert len([m for m in messages if "throttled" in m]) == 1
    assert "configuration: SSM answers again after 3 failed attempt(s)" in messages
    assert record.failures == 3 and "Rate exceeded" in record.last_error and record.last_fetch


def test_the_thread_stops_at_once():
    watcher, _, _ = watcher_for([fetched(1)])
    watcher.interval = 3600
    watcher.thread.start()
    watcher.stop()
    watcher.thread.join(5)
    assert not watcher.thread.is_alive()


@pytest.mark.parametrize("versions, expected", [((), 0), ((("/a", 3), ("/b/c", 4)), 7)])
def test_the_version_metric_is_the_sum_of_the_versions(versions, expected):
    record = FetchRecord(FakeOrigin([]))
    record.applied(Fetched({"x": tuple(Document("", "", name, v) for name, v in versions)}))
    assert record.version_sum() == expected


def test_a_record_writes_itself_to_the_state_file_once_attached():
    saved = []
    store = type("Store", (), {"set_config_status": lambda self, report: saved.append(report)})()
    record = FetchRecord(FakeOrigin([]))
    record.failed(FetchError("down"))
    record.attach(store)
    record.applied(fetched(2))
    assert [r["fetch_failures"] for r in saved] == [1, 1] and saved[-1]["versions"] == [["/x/main", 2]]
