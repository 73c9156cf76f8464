"""launcher/kubernetes/: the manifests validate against the Kubernetes API's schemas
(kubernetes-validate, strict), the ConfigMap holds a configuration the agent loads, and the
DaemonSet mounts, probes and is scheduled as its comments say."""
from pathlib import Path

import kubernetes_validate
import yaml

from awscli_cwlogs.config import settings
from awscli_cwlogs.sources.kinds import KINDS

MANIFEST = Path(__file__).resolve().parents[2] / "launcher" / "kubernetes" / "awscli-cwlogs.yaml"
KUBERNETES = "1.37.0"


def documents():
    return {document["kind"]: document for document in yaml.safe_load_all(MANIFEST.read_text())}


def test_the_manifests_validate_against_current_kubernetes():
    found = documents()
    assert set(found) == {"Namespace", "ServiceAccount", "ConfigMap", "DaemonSet"}
    for document in found.values():
        kubernetes_validate.validate(document, KUBERNETES, strict=True)  # raises ValidationError


def test_the_configmap_holds_a_configuration_the_agent_loads(tmp_path):
    config = tmp_path / "awslogs.conf"
    config.write_text(documents()["ConfigMap"]["data"]["awslogs.conf"])
    loaded = settings.load_config(config, kinds=KINDS)
    [pods] = loaded.streams
    assert (pods.source, pods.log_stream_name) == ("cri", "{node_name}/{namespace}/{pod}/{container_name}")
    assert loaded.general.state_file == "/var/lib/awslogs/agent-state"  # in the image's state volume


def test_the_daemonset_reads_the_log_folders_read_only_on_every_node_and_probes_the_agent():
    spec = documents()["DaemonSet"]["spec"]["template"]["spec"]
    [agent] = spec["containers"]
    mounts = {mount["mountPath"]: mount.get("readOnly", False) for mount in agent["volumeMounts"]}
    assert mounts == {"/etc/awslogs": True, "/var/lib/awslogs": False, "/var/log/pods": True,
                      "/var/log/containers": True, "/var/lib/docker/containers": True, "/tmp": False}
    paths = {volume["name"]: volume.get("hostPath", {}).get("path") for volume in spec["volumes"]}
    assert paths["state"] == "/var/lib/awscli-cwlogs" and paths["pods"] == "/var/log/pods"
    assert spec["tolerations"] == [{"operator": "Exists"}]
    assert agent["livenessProbe"]["exec"]["command"][-1] == "--health"
    assert {"name": "NODE_NAME", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}} in agent["env"]
    assert agent["resources"]["requests"] and agent["resources"]["limits"]["memory"] == "256Mi"
    assert agent["securityContext"]["readOnlyRootFilesystem"] is True
    assert spec["serviceAccountName"] == documents()["ServiceAccount"]["metadata"]["name"]
