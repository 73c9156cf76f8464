"""The keys of ``source = docker`` and ``source = cri``, beside those of every kind that follows files."""
from dataclasses import dataclass

from awscli_cwlogs.sources.tail.keys import FollowedFiles


@dataclass(frozen=True)
class ContainerOptions(FollowedFiles):
    """``docker_root``: the Docker engine's data root; ``container_streams``: the output streams
    shipped. ``file`` (cri): the kubelet's log glob."""
    docker_root: str = "/var/lib/docker"
    container_streams: tuple = ("stdout", "stderr")
