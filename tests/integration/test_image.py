"""The agent's OCI image (`python3 dev.py image`, packages/image.py): built from the .deb with
Debian's packages, run by podman against the local endpoint with a mounted CRI log folder and a
Docker json-file folder, stopped and started again on its state volume while the containers
write: 0 lost, 0 duplicated. Skipped, with the reason, where podman cannot run a container.

On this kind of machine root may not raise resource limits (no CAP_SYS_RESOURCE) and the
cgroups are a v1/v2 hybrid: the container runs with runc, the cgroupfs manager and limits no
higher than the machine's own."""
import os
import subprocess
import uuid

import pytest

from packages import deb, image
from tests.harness.containers import CriContainer, DockerContainer
from tests.harness.pushagent import assert_delivered, settle

PODMAN = ["podman", "--cgroup-manager=cgroupfs", "--runtime", "runc"]
# podman's helpers (runc, iptables for its networks) are in /usr/sbin; CI runs with PATH=/usr/bin:/bin
SYSTEM_PATH = {"PATH": os.pathsep.join(["/usr/sbin", "/usr/bin", "/sbin", "/bin", os.environ.get("PATH") or ""])}
LIMITS = ["--ulimit", "nofile=4096:4096", "--ulimit", "nproc=4096:4096"]
LINES = 3000


def _missing():
    if os.geteuid() != 0:
        return "building the image needs root (debootstrap, chroot)"
    tools = [name for name in ("podman", "runc", "debootstrap", "dpkg-deb") if image.tool(name) is None]
    if tools:
        return f"no {', '.join(tools)} on this machine (python3 dev.py test installs them from Debian where it can)"
    return None


pytestmark = pytest.mark.skipif(_missing() is not None, reason=_missing() or "")


@pytest.fixture(scope="module")
def built(wheels, tmp_path_factory):
    """(the image's tag, its archive's size): the .deb of these wheels in Debian's minimal system."""
    work = tmp_path_factory.mktemp("image")
    deb.stage(deb.checkout_wheels(wheels, work), work / "tree")
    package = deb.pack(work / "tree", deb.debian_version(deb.source_version()), work / "out", "gzip")
    tag = f"localhost/awscli-cwlogs-test:{uuid.uuid4().hex[:8]}"
    _, size = image.build(package, work / "out", tag)
    probe = subprocess.run([*PODMAN, "run", "--rm", "--network", "host", *LIMITS, "--entrypoint", "true", tag],
                           capture_output=True, text=True, env={**os.environ, **SYSTEM_PATH})
    if probe.returncode != 0:
        subprocess.run(["podman", "rmi", "-f", tag], capture_output=True, env={**os.environ, **SYSTEM_PATH})
        pytest.skip(f"podman cannot run a container here: {probe.stderr.strip()[-300:]}")
    yield tag, size
    subprocess.run(["podman", "rmi", "-f", tag], capture_output=True, env={**os.environ, **SYSTEM_PATH})


def test_the_image_ships_cri_and_docker_logs_exactly_across_a_restart_on_its_state_volume(built, wire, logs,
                                                                                           tmp_path):
    tag, size = built
    print(f"image {tag}: archive {size / 1e6:.0f} MB")
    podman = {"capture_output": True, "text": True, "env": {**os.environ, **SYSTEM_PATH}}
    inspect = subprocess.run(["podman", "image", "inspect", "--format", "{{.Size}} {{.Config.User}}", tag],
                             check=True, **podman).stdout.split()
    assert int(inspect[0]) < 150e6 and inspect[1] == "awslogs", inspect  # under 150 MB, not root
    logs_root = tmp_path / "log"
    logs_root.mkdir(mode=0o755)
    pod = CriContainer(logs_root, "web-1", "shop", "nginx")
    api = DockerContainer(logs_root / "docker", "api")
    for folder in [logs_root, *logs_root.rglob("*")]:
        if folder.is_dir():
            folder.chmod(0o755)  # the image's user reads them
    state = tmp_path / "state"
    state.mkdir()
    state.chmod(0o777)
    config = tmp_path / "awslogs.conf"
    config.write_text(
        "[general]\nstate_file = /var/lib/awslogs/agent-state\n\n"
        f"[pods]\nsource = cri\nfile = {logs_root}/containers/*.log\nlog_group_name = image-cri\n"
        "log_stream_name = {namespace}/{pod}/{container_name}\nbuffer_duration = 200\n\n"
        f"[docker]\nsource = docker\ndocker_root = {logs_root}/docker\nlog_group_name = image-docker\n"
        "log_stream_name = {container_name}\nbuffer_duration = 200\n")
    aws_config = tmp_path / "aws.conf"
    aws_config.write_text(f"[default]\nregion = us-east-1\nendpoint_url = {wire.url}\n\n[plugins]\ncwlogs = awscli_cwlogs\n")
    for path in (config, aws_config):
        path.chmod(0o644)
    name = f"cwlogs-test-{uuid.uuid4().hex[:8]}"
    run = [*PODMAN, "run", "-d", "--name", name, "--network", "host", *LIMITS,
           "-v", f"{logs_root}:{logs_root}:ro", "-v", f"{state}:/var/lib/awslogs",
           "-v", f"{config}:/etc/awslogs/awslogs.conf:ro", "-v", f"{aws_config}:/etc/awslogs/aws.conf:ro",
           "-e", "AWS_ACCESS_KEY_ID=AKIDIMAGEIMAGEIMAGE1", "-e", "AWS_SECRET_ACCESS_KEY=imagesecretimagesecret", tag]
    try:
        pod.write_lines(0, LINES // 2)
        api.write_lines(0, LINES // 2)
        started = subprocess.run(run, **podman)
        assert started.returncode == 0, started.stderr
        settle(wire, "image-cri", "shop/web-1/nginx", LINES // 4, timeout=120)
        stopped = subprocess.run([*PODMAN, "stop", "-t", "25", name], **podman)  # SIGTERM
        assert stopped.returncode == 0, stopped.stderr
        pod.write_lines(LINES // 2, LINES // 2)  # while it is stopped
        subprocess.run([*PODMAN, "start", name], check=True, **podman)
        api.write_lines(LINES // 2, LINES // 2)
        settle(wire, "image-cri", "shop/web-1/nginx", LINES, timeout=120)
        settle(wire, "image-docker", "api", LINES, timeout=120)
    finally:
        output = subprocess.run(["podman", "logs", name], **podman)
        subprocess.run([*PODMAN, "rm", "-f", "-t", "5", name], **podman)
        print(output.stdout[-2000:], output.stderr[-2000:])
    assert_delivered(logs, "image-cri", "shop/web-1/nginx", range(LINES))
    assert_delivered(logs, "image-docker", "api", range(LINES))
    assert (state / "agent-state").exists()
