"""Values for the {instance_id}, {hostname}, {ip_address} and {node_name} placeholders, each looked up once."""
import ipaddress
import logging
import os
import socket

from botocore.utils import IMDSFetcher, resolve_imds_endpoint_mode

LOG = logging.getLogger("awscli_cwlogs")
IMDS_TIMEOUT_S = 1.0


class HostInfo:
    def __init__(self, session=None):
        self._values = {}
        self._session = session

    def __call__(self, name):
        if name not in self._values:
            self._values[name] = getattr(self, f"_{name}")()
        return self._values[name]

    def _hostname(self):
        return socket.gethostname()

    def _node_name(self):
        """The Kubernetes node a pod runs on: NODE_NAME, which a DaemonSet sets from the downward
        API (spec.nodeName); else the hostname (outside a pod, the host is the node)."""
        node = os.environ.get("NODE_NAME", "").strip()
        if node:
            return node
        hostname = socket.gethostname()
        LOG.info("NODE_NAME is not set (a DaemonSet sets it from spec.nodeName); using the hostname %s for "
                 "{node_name}", hostname)
        return hostname

    def _ip_address(self):
        address = first_non_loopback_address(socket.gethostname())
        if address is None:
            LOG.warning("no non-loopback IP address found for {ip_address}; using 127.0.0.1")
            return "127.0.0.1"
        return address

    def _instance_id(self):
        try:
            fetcher = _imds_fetcher(self._session)
            token = fetcher._fetch_metadata_token()  # IMDSv2; None where only v1 answers
            response = fetcher._get_request("latest/meta-data/instance-id", None, token)
            instance_id = response.text.strip()
            if instance_id:
                return instance_id
        except Exception as error:  # any failure means: not on EC2, or metadata unreachable
            LOG.debug("instance metadata lookup failed: %s", error)
        hostname = socket.gethostname()
        LOG.warning("instance ID not available from the instance metadata service; using the hostname %s "
                    "for {instance_id}", hostname)
        return hostname


def _imds_fetcher(session):
    """botocore's fetcher, with the profile's IMDS settings (endpoint, IPv6, v1 disabled)."""
    config = {}
    if session is not None:
        config = {
            "ec2_metadata_service_endpoint": session.get_config_variable("ec2_metadata_service_endpoint"),
            "ec2_metadata_service_endpoint_mode": resolve_imds_endpoint_mode(session),
            "ec2_metadata_v1_disabled": session.get_config_variable("ec2_metadata_v1_disabled"),
        }
    return IMDSFetcher(timeout=IMDS_TIMEOUT_S, num_attempts=1, config=config)


def first_non_loopback_address(hostname):
    try:
        infos = socket.getaddrinfo(hostname, None, proto=socket.IPPROTO_TCP)
    except OSError:
        infos = []
    addresses = [info[4][0] for info in infos]
    usable = [a for a in addresses if not ipaddress.ip_address(a.split("%")[0]).is_loopback]
    usable.sort(key=lambda a: ":" in a)  # IPv4 first
    return usable[0] if usable else None
