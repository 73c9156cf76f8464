"""The agent's metrics as embedded-metric-format records and Prometheus text (no I/O)."""
import json

from prometheus_client.parser import text_string_to_metric_families

from awscli_cwlogs.health.metrics import emf_records, prometheus_text

FIGURES = {"events_accepted": 10, "bytes_sent": 500, "billable_bytes": 760, "too_old": 1, "too_new": 0, "expired": 0, "filtered": 2,
           "retries": 3, "failed_requests": 3, "split": 1, "not_json": 2, "masked": 5, "bytes_behind": 42, "lag": 7.5}


def test_emf_counts_are_per_interval_and_gauges_as_they_are():
    before = {"app": {**FIGURES, "events_accepted": 4, "retries": 3}}
    [record] = emf_records({"app": FIGURES}, before, "web-1", "AwsLogsPush", 1796000000000)
    document = json.loads(record)
    assert document["_aws"] == {"Timestamp": 1796000000000, "CloudWatchMetrics": [{
        "Namespace": "AwsLogsPush", "Dimensions": [["Host", "Section"]],
        "Metrics": [{"Name": name, "Unit": unit} for name, unit in (
            ("EventsAccepted", "Count"), ("BytesAccepted", "Bytes"), ("BillableBytes", "Bytes"), ("EventsTooOld", "Count"),
            ("EventsTooNew", "Count"), ("EventsExpired", "Count"), ("EventsFiltered", "Count"),
            ("Retries", "Count"), ("FailedRequests", "Count"), ("EventsSplit", "Count"), ("LinesNotJson", "Count"),
            ("ValuesMasked", "Count"), ("BytesBehind", "Bytes"), ("LagSeconds", "Seconds"))]}]}
    assert (document["Host"], document["Section"]) == ("web-1", "app")
    assert document["EventsAccepted"] == 6 and document["Retries"] == 0 and document["BytesAccepted"] == 0
    assert document["BytesBehind"] == 42 and document["LagSeconds"] == 7.5


def test_prometheus_text_parses_with_counters_and_gauges_and_escaped_labels():
    families = {f.name: f for f in text_string_to_metric_families(prometheus_text({'a "b"\n': FIGURES}, "h"))}
    assert families["awslogs_push_events_accepted"].type == "counter"
    assert families["awslogs_push_lag_seconds"].type == "gauge"
    sample = families["awslogs_push_events_accepted"].samples[0]
    assert sample.name == "awslogs_push_events_accepted_total" and sample.value == 10
    assert sample.labels == {"host": "h", "section": 'a "b"\n'}


def test_metrics_keys_are_checked_with_file_section_and_key(tmp_path):
    import pytest

    from awscli_cwlogs.config.settings import ConfigError, load_config as load
    from awscli_cwlogs.sources.kinds import KINDS

    def load_config(path):
        return load(path, kinds=KINDS)

    def config(general):
        path = tmp_path / "awslogs.conf"
        path.write_text(f"[general]\nstate_file = s\n{general}\n[app]\nfile = /x\nlog_group_name = g\n"
                        "log_stream_name = s\n")
        return path

    loaded = load_config(config("metrics_log_group = m\nhost_metrics = cpu disk\ndisk_paths = /, /data")).general
    assert loaded.host_metrics == ("cpu", "disk") and loaded.disk_paths == ("/", "/data")
    assert loaded.metrics_interval == 60 and loaded.metrics_namespace == "AwsLogsPush"
    for general, message in (("host_metrics = cpu", "[general] host_metrics: needs metrics_log_group"),
                             ("metrics_log_group = m\nhost_metrics = gpu", "[general] host_metrics: 'gpu' is not one of"),
                             ("metrics_log_group = bad name", "[general] metrics_log_group: 'bad name' is not a log group"),
                             ("metrics_interval = 0", "[general] metrics_interval:")):
        with pytest.raises(ConfigError) as error:
            load_config(config(general))
        assert message in str(error.value) and str(tmp_path) in str(error.value), str(error.value)


def test_the_agent_has_a_record_per_host_its_state_writes_and_configuration_version_and_failed_fetches():
    from awscli_cwlogs.health.metrics import agent_emf, agent_prometheus, agent_values
    config = type("Record", (), {"failures": 5, "version_sum": lambda self: 12})()
    state = type("Store", (), {"write_failures": 7})()
    values = agent_values(state, config)
    document = json.loads(agent_emf(values, {"ConfigFetchFailures": 2, "StateWriteFailures": 4, "ConfigVersion": 11},
                                    "web1", "AwsLogsPush", 1000))
    assert document["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["Host"]]
    assert [m["Name"] for m in document["_aws"]["CloudWatchMetrics"][0]["Metrics"]] == [
        "StateWriteFailures", "ConfigVersion", "ConfigFetchFailures"]
    assert (document["Host"], document["ConfigVersion"], document["ConfigFetchFailures"]) == ("web1", 12, 3)
    assert document["StateWriteFailures"] == 3  # since the last record
    families = {f.name: f for f in text_string_to_metric_families(agent_prometheus(values, "web1"))}
    assert families["awslogs_push_config_version"].samples[0].value == 12
    assert families["awslogs_push_config_fetch_failures"].type == "counter"
    assert families["awslogs_push_config_fetch_failures"].samples[0].value == 5
    assert families["awslogs_push_state_write_failures"].type == "counter"
    assert families["awslogs_push_state_write_failures"].samples[0].name == "awslogs_push_state_write_failures_total"
    assert families["awslogs_push_state_write_failures"].samples[0].value == 7


def test_without_ssm_the_agent_record_holds_the_state_writes_alone():
    from awscli_cwlogs.health.metrics import agent_emf, agent_values
    document = json.loads(agent_emf(agent_values(type("Store", (), {"write_failures": 0})(), None), {}, "h", "N", 1))
    assert [m["Name"] for m in document["_aws"]["CloudWatchMetrics"][0]["Metrics"]] == ["StateWriteFailures"]
    assert document["StateWriteFailures"] == 0
