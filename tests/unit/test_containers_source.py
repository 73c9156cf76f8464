"""Finding containers and naming their streams: Docker's config.v2.json, kubelet's symlink
names, LOGSPOUT=ignore and LOGSPOUT_GROUP/LOGSPOUT_STREAM (files on disk, no agent)."""
import json
import threading

from awscli_cwlogs.cloudwatch.routing import Router
from awscli_cwlogs.sources.containers.source import cri_containers, docker_containers
from tests.harness.containers import CriContainer, DockerContainer
from tests.harness.sections import make_stream


def names(container, group="{hostname-resolved}", stream="{container_name}"):
    return Router(group, stream, per_origin=True).destination(container.values, 0)


def test_docker_names_images_labels_environment_and_logspout_overrides(tmp_path):
    DockerContainer(tmp_path, "web", image="nginx:1.27", env={"ROLE": "front", "AWS_SECRET_ACCESS_KEY": "s3cr3t"})
    DockerContainer(tmp_path, "skip-env", env={"LOGSPOUT": "ignore"})
    DockerContainer(tmp_path, "skip-label", labels={"LOGSPOUT": "ignore"})
    DockerContainer(tmp_path, "go", env={"LOGSPOUT_GROUP": "apps/{{.Labels.team}}", "LOGSPOUT_STREAM": "{{ .Name }}-{{.Env.ROLE}}",
                                         "ROLE": "db"}, labels={"team": "data"})
    DockerContainer(tmp_path, "bad-override", env={"LOGSPOUT_GROUP": "no spaces allowed"})
    templates = ("g", "{image}/{container_env:ROLE}/{label:missing}")
    found = {c.values.get("container_name"): c for c in docker_containers(str(tmp_path), templates)}
    assert found["skip-env"].ignored == found["skip-label"].ignored == "LOGSPOUT=ignore"
    web = found["web"]
    assert web.ignored is None and web.values["container_id"] == web.log_path.split("/")[-2][:12]
    assert names(web, "g", templates[1]) == ("g", "nginx_1.27/front/unknown")
    assert "AWS_SECRET_ACCESS_KEY" not in json.dumps(web.values)  # only what the names use
    assert names(found["go"]) == ("apps/data", "go-db")
    assert names(found["bad-override"], "g") == ("g", "bad-override")  # refused: the section's names


def test_a_container_without_a_json_file_log_is_left_out_with_the_reason(tmp_path):
    container = DockerContainer(tmp_path, "journald-driver")
    config = json.loads((container.folder / "config.v2.json").read_text())
    config["LogPath"] = ""
    (container.folder / "config.v2.json").write_text(json.dumps(config))
    container.log.unlink()
    (broken := tmp_path / "containers" / ("f" * 64)).mkdir()
    (broken / "config.v2.json").write_text("{not json")
    reasons = sorted(c.ignored for c in docker_containers(str(tmp_path), ("g", "s")))
    assert reasons[0].startswith("cannot read its config.v2.json") and "another logging driver" in reasons[1]


def test_cri_names_come_from_the_kubelet_symlink_and_the_file_is_its_target(tmp_path):
    pod = CriContainer(tmp_path, "web-5d8f", "shop", "nginx")
    (tmp_path / "containers" / "not-a-pod.log").write_text("")
    found = cri_containers(str(tmp_path / "containers" / "*.log"))
    good = [c for c in found if c.ignored is None]
    assert [c.ignored for c in found if c.ignored] == ["not named <pod>_<namespace>_<container>-<id>.log"]
    assert good[0].log_path == str(pod.log.resolve())
    assert good[0].values == {"pod": "web-5d8f", "namespace": "shop", "container_name": "nginx",
                              "container_id": pod.id[:12]}
    assert names(good[0], "k8s", "{namespace}/{pod}/{container_name}") == ("k8s", "shop/web-5d8f/nginx")


def test_a_docker_root_without_containers_is_named_as_a_problem(tmp_path):
    from awscli_cwlogs.sources.containers.source import missing_root
    stream = make_stream(section="d", log_group_name="g", log_stream_name="s", source="docker",
                          docker_root=str(tmp_path))
    assert missing_root(stream).startswith(f"docker_root: {tmp_path} has no containers folder")
    DockerContainer(tmp_path, "web")
    assert missing_root(stream) is None


def test_a_container_s_rotation_wakes_the_agent_at_once(tmp_path):
    """Its folder is watched by name for its live file: json-file's max-file may delete the next
    file a moment later, so the rename must not wait for the next poll."""
    from tests.harness.sections import spec_of
    from awscli_cwlogs.sources.containers.source import ContainerSource

    web = DockerContainer(tmp_path, "web")
    web.write_lines(0, 3)
    stream = make_stream(section="c", log_group_name="g", log_stream_name="{container_name}", source="docker",
                          docker_root=str(tmp_path))
    source = ContainerSource(stream, spec_of(stream), {}, False)
    woken = threading.Event()
    source.wake = woken.set
    try:
        source.poll(1 << 20)
        woken.clear()
        web.rotate()
        assert woken.wait(5)
        assert source._tailers[str(web.folder)]._changed  # the tailer lists its folder again at the next poll
    finally:
        source.close()
