"""The agent's own metrics: embedded-metric-format records in the metrics group and the
Prometheus text file, against the local endpoint with a 1 s interval."""
import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from prometheus_client.parser import text_string_to_metric_families

from tests.harness.awscli import AwsCli
from tests.harness.hostsampler import HostSampler
from tests.harness.pushagent import PushAgent, section, wait_until, write_lines

GROUP = "app"
METRICS = "agent-metrics"


def utc(seconds_ago):
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(time.time() - seconds_ago))


def emf_documents(logs):
    documents = []
    for stream in logs.stream_names(METRICS):
        documents += [json.loads(event["message"]) for event in logs.stored_events(METRICS, stream)]
    return documents


def textfile_values(path):
    values = {}
    for family in text_string_to_metric_families(path.read_text()):
        for sample in family.samples:
            values[(sample.name, sample.labels.get("section"))] = sample.value  # None: the agent's, per host
    return values


def test_emf_records_and_the_textfile_match_what_was_sent_and_lag_rises_in_an_outage(aws, wire, logs, tmp_path):
    log = tmp_path / "app.log"
    log.write_text("".join(f"{utc(20 * 86400 - i)} INFO too old\n" for i in range(3)) + f"{utc(1)} INFO fine\n")
    textfile = tmp_path / "metrics.prom"
    general = {"metrics_log_group": METRICS, "metrics_interval": 1, "metrics_textfile": str(textfile)}
    agent = PushAgent(aws, tmp_path / "agent", {"app": section(log, GROUP, "s", datetime_format="%Y-%m-%d %H:%M:%S",
                                                               time_zone="UTC")}, general)
    with agent:
        agent.start()
        write_lines(log, 0, 200)
        with open(log, "a") as out:  # one line over the size limit: sent as two parts, counted as split
            out.write(f"{utc(0)} INFO big {'x' * 1_100_000}\n")
        wait_until(lambda: wire.accepted_events(GROUP, "s") >= 206, 60, "the events")
        wait_until(lambda: textfile.exists() and textfile_values(textfile).get(
            ("awslogs_push_events_accepted_total", "app")) == 203, 30, "the text file to count them")  # 3 too old
        wire.faults.set_down(True)  # an outage: the lag rises while lines keep coming
        write_lines(log, 200, 50)
        wait_until(lambda: textfile_values(textfile)[("awslogs_push_lag_seconds", "app")] >= 3, 30, "the lag to rise")
        wait_until(lambda: textfile_values(textfile)[("awslogs_push_retries_total", "app")] >= 1, 60,
                   "a retry (after botocore's own attempts)")
        lag_in_outage = textfile_values(textfile)[("awslogs_push_lag_seconds", "app")]
        behind_in_outage = textfile_values(textfile)[("awslogs_push_bytes_behind", "app")]
        wire.faults.set_down(False)
        wait_until(lambda: wire.accepted_events(GROUP, "s") >= 256, 90, "the events after the outage")
        wait_until(lambda: textfile_values(textfile)[("awslogs_push_lag_seconds", "app")] == 0, 30, "the lag back to 0")
        before = textfile_values(textfile)
        agent.process.send_signal(signal.SIGHUP)  # the counters stay monotonic across a reload
        agent.config.write_text(agent.config.read_text().replace("buffer_duration = 200", "buffer_duration = 300"))
        agent.process.send_signal(signal.SIGHUP)
        write_lines(log, 250, 10)
        wait_until(lambda: "0 section(s) kept, 1 stopped, 1 started" in agent.log_text(), 30, "the section replaced")
        wait_until(lambda: textfile_values(textfile)[("awslogs_push_events_accepted_total", "app")] >= 263, 60,
                   "the counts after the reload")
        after = textfile_values(textfile)
        time.sleep(2.5)  # the last records go out
        assert agent.stop() == 0
    assert lag_in_outage >= 3 and behind_in_outage > 0
    assert all(after[key] >= before[key] for key in before if key[0].endswith("_total")), (before, after)
    documents = [d for d in emf_documents(logs) if "Section" in d]
    agent_records = [d for d in emf_documents(logs) if "Section" not in d]
    assert documents, "no embedded-metric-format record in the metrics group"
    assert agent_records and all(d["StateWriteFailures"] == 0 for d in agent_records)  # the state file was written
    assert after[("awslogs_push_state_write_failures_total", None)] == 0
    for document in documents:
        directive = document["_aws"]["CloudWatchMetrics"][0]
        assert directive["Namespace"] == "AwsLogsPush" and directive["Dimensions"] == [["Host", "Section"]]
        assert isinstance(document["_aws"]["Timestamp"], int) and document["Section"] == "app" and document["Host"]
        for metric in directive["Metrics"]:
            assert metric["Unit"] in ("Count", "Bytes", "Seconds") and isinstance(document[metric["Name"]], (int, float))
    accepted = after[("awslogs_push_events_accepted_total", "app")]
    assert accepted == wire.accepted_events(GROUP, "s") - 3  # what the endpoint took, but the 3 it called too old
    assert sum(d["EventsAccepted"] for d in documents) == accepted
    assert sum(d["EventsTooOld"] for d in documents) == 3  # AWS's tooOldLogEventEndIndex: an end, as the proxy answers
    assert sum(d["EventsSplit"] for d in documents) == 1 and after[("awslogs_push_events_split_total", "app")] == 1
    assert max(d["LagSeconds"] for d in documents) >= 3 and documents[-1]["LagSeconds"] == 0
    assert sum(d["Retries"] for d in documents) > 0 and sum(d["FailedRequests"] for d in documents) > 0


def host_documents(logs, dimension):
    """The host metrics' records (not the agent's own, which has the dimension Host too)."""
    return [d for d in emf_documents(logs) if d["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [dimension]
            and "StateWriteFailures" not in d]


def test_host_metrics_follow_the_host_cpu_burn_and_disk_fill(aws, wire, logs, tmp_path):
    psutil = pytest.importorskip("psutil", reason="psutil is a test dependency (setup.cfg [test])")
    folder = tmp_path / "disk"
    folder.mkdir()
    log = tmp_path / "app.log"
    log.touch()
    general = {"metrics_log_group": METRICS, "metrics_interval": 1, "host_metrics": "cpu, memory, disk, swap, load",
               "disk_paths": str(folder)}
    host = HostSampler(psutil, str(folder))
    host.start()
    with PushAgent(aws, tmp_path / "agent", {"app": section(log, GROUP, "s")}, general) as agent:
        agent.start()
        wait_until(lambda: len(host_documents(logs, ["Host"])) >= 3, 60, "three host records")
        burn_start = time.time()
        while time.time() < burn_start + 3:  # burn one core for three intervals
            pass
        burn_end = time.time()
        (folder / "filler").write_bytes(os.urandom(64 << 20))
        os.sync()
        filled = time.time()
        wait_until(lambda: host_documents(logs, ["Host", "MountPoint"])[-1]["_aws"]["Timestamp"] / 1000 > filled + 1,
                   30, "a disk record after the fill")
        assert agent.stop() == 0
    host.stop()
    records = host_documents(logs, ["Host"])
    cores = psutil.cpu_count()
    for previous, record in zip(records, records[1:]):  # each record covers the interval since the one before
        start, end = previous["_aws"]["Timestamp"] / 1000, record["_aws"]["Timestamp"] / 1000
        if host.samples[0].at <= start:
            assert abs(record["CPUBusyPercent"] - host.cpu_busy_percent(start, end)) < 15, (record, start, end)
    during_burn = [r for p, r in zip(records, records[1:])
                   if burn_start <= p["_aws"]["Timestamp"] / 1000 and r["_aws"]["Timestamp"] / 1000 <= burn_end]
    assert during_burn, "no host record fell inside the burn"
    assert all(r["CPUBusyPercent"] >= 100 / cores / 2 for r in during_burn), during_burn  # the burn alone is that much
    memory = psutil.virtual_memory()
    assert abs(records[-1]["MemoryAvailableBytes"] - memory.available) < memory.total * 0.1
    assert abs(records[-1]["SwapFreeBytes"] - psutil.swap_memory().free) <= psutil.swap_memory().total * 0.1 + 1
    assert abs(records[-1]["LoadAverage1"] - os.getloadavg()[0]) < 2
    disk = host_documents(logs, ["Host", "MountPoint"])
    assert {d["MountPoint"] for d in disk} == {str(folder)}
    for record in disk:  # what the agent read agrees with what the host said at that moment
        at = record["_aws"]["Timestamp"] / 1000
        low, high = host.disk_free_between(at - 0.5, at + 0.5)
        assert low - (1 << 20) <= record["DiskFreeBytes"] <= high + (1 << 20), (record, low, high)
    assert [d for d in disk if d["_aws"]["Timestamp"] / 1000 > filled + 1], "no disk record after the fill"
    assert abs(disk[-1]["DiskUsedPercent"] - psutil.disk_usage(str(folder)).percent) < 1


def test_host_metrics_without_psutil_is_a_config_error_naming_the_extra(aws, tmp_path):
    fake = tmp_path / "nopsutil" / "psutil"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('psutil is not installed')\n")
    agent = PushAgent(aws, tmp_path / "agent", {"app": section(tmp_path / "app.log", GROUP, "s")},
                      {"metrics_log_group": METRICS, "host_metrics": "cpu"})
    result = aws.run("logs", "push", "--config-file", agent.config, "--check",
                     env={"PYTHONPATH": str(fake.parent)})
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert result.stderr.strip() == (f"aws logs push: {agent.config}: [general] host_metrics: needs psutil: "
                                     "pip install '.[host-metrics]' in the agent's virtualenv (launcher/install.sh "
                                     "includes it)")


def test_the_readme_alarm_commands_work_as_written(moto, tmp_path):
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    block = readme[readme.index("HOST=web-1 SECTION=app"):]
    block = block[:block.index("```")]
    cli = AwsCli(tmp_path / "home", moto.url)
    folder = tmp_path / "bin"
    folder.mkdir()
    (folder / "aws").symlink_to(cli.command()[0])
    env = {**cli.env, "PATH": f"{folder}:{os.environ['PATH']}"}
    result = subprocess.run(["bash", "-euc", block], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    alarms = json.loads(subprocess.run([*cli.command(), "cloudwatch", "describe-alarms"], env=env,
                                       capture_output=True, text=True, check=True).stdout)["MetricAlarms"]
    by_name = {alarm["AlarmName"]: alarm for alarm in alarms}
    lag = by_name["awslogs lag web-1 app"]
    assert (lag["MetricName"], lag["Threshold"], lag["TreatMissingData"]) == ("LagSeconds", 300.0, "breaching")
    stalled = by_name["awslogs stalled web-1 app"]
    assert [m["Id"] for m in stalled["Metrics"]] == ["sent", "behind", "stalled"]
    assert stalled["Metrics"][2]["Expression"] == "IF(sent == 0 AND behind > 0, 1, 0)"
