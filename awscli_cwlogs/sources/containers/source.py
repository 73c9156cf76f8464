"""source = docker and source = cri: every container's output on this host, one FileTailer per
container (so Docker's max-file and kubelet's rotations, positions and restarts are the file
tailer's), its records turned into events by a RecordReader.

Docker: the json-file driver's files under the data root, with each container's name, image,
labels and environment from its config.v2.json (no Docker socket). A container may set its own
names with LOGSPOUT_GROUP / LOGSPOUT_STREAM (environment or label; our placeholders or
logspout's Go-template fields) or leave itself out with LOGSPOUT=ignore, as with
logspout-cloudwatch. CRI: the kubelet's /var/log/containers/<pod>_<namespace>_<container>-<id>.log
symlinks, followed to their files under /var/log/pods.
"""
import dataclasses
import functools
import glob
import json
import logging
import os
import re
import socket
import time

from awscli_cwlogs.cloudwatch.routing import Router
from awscli_cwlogs.config.names import check_name, expand, origin_placeholders
from awscli_cwlogs.sources.containers.records import RecordReader
from awscli_cwlogs.sources.tail.keys import with_file
from awscli_cwlogs.sources.tail.matching import TailerGroup
from awscli_cwlogs.sources.tail.survey import survey
from awscli_cwlogs.sources.tail.tailer import FileTailer
from awscli_cwlogs.sources.tail.watch import WRITTEN, static_folder

LOG = logging.getLogger("awscli_cwlogs")
GROUP_OVERRIDE, STREAM_OVERRIDE = "LOGSPOUT_GROUP", "LOGSPOUT_STREAM"  # a container's own names
IGNORED = "LOGSPOUT=ignore"
_CRI_NAME = re.compile(r"(?P<pod>[^_]+)_(?P<namespace>[^_]+)_(?P<container>.+)-(?P<id>[0-9a-f]{64})\.log")
_GO_FIELD = re.compile(r"\{\{\s*\.(\w+)(?:\.([\w.\-]+))?\s*\}\}")  # logspout's {{.Name}}, {{.Labels.app}}


@dataclasses.dataclass(frozen=True)
class Container:
    key: str  # what it is listed by: its folder (docker), its kubelet symlink (cri); gone with it
    log_path: str  # the file the tailer follows
    values: dict  # the placeholders' values its names use
    ignored: str = None  # why it is left out, or None


def docker_containers(root, templates, known=()):
    """The containers of a Docker data root, from their config.v2.json files; those whose
    folder is in ``known`` are not read again."""
    found = []
    for config_path in sorted(glob.glob(os.path.join(glob.escape(root), "containers", "*", "config.v2.json"))):
        folder = os.path.dirname(config_path)
        if folder in known:
            continue
        try:
            with open(config_path, encoding="utf-8") as file:
                config = json.load(file)
            found.append(_docker_container(folder, config, templates))
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:  # being written: next scan
            found.append(Container(folder, None, {}, f"cannot read its config.v2.json ({error})"))
    return found


def _docker_container(folder, config, templates):
    identifier = config["ID"]
    settings = config.get("Config") or {}
    labels = settings.get("Labels") or {}
    env = dict(item.split("=", 1) if "=" in item else (item, "") for item in settings.get("Env") or [])
    name = config.get("Name", "").lstrip("/") or identifier[:12]
    log_path = config.get("LogPath") or os.path.join(folder, f"{identifier}-json.log")
    facts = {"container_name": name, "container_id": identifier[:12], "image": settings.get("Image", ""),
             "container_hostname": settings.get("Hostname", "")}
    if not config.get("LogPath") and not os.path.exists(log_path):  # not started yet, or another driver
        return Container(folder, log_path, facts, "no json-file log (another logging driver?)")
    if "ignore" in (env.get("LOGSPOUT"), labels.get("LOGSPOUT")):
        return Container(folder, log_path, facts, IGNORED)
    own = [env.get(key) or labels.get(key) for key in (GROUP_OVERRIDE, STREAM_OVERRIDE)]
    values = {name: value for name, value in facts.items() if name != "container_hostname"}
    for template in [*templates, *filter(None, own)]:
        for placeholder in origin_placeholders(template):
            kind, _, key = placeholder.partition(":")
            if kind in ("label", "container_env"):
                values[placeholder] = (labels if kind == "label" else env).get(key) or "unknown"
    return Container(folder, log_path, _with_overrides(values, own, facts, labels, env))


def _with_overrides(values, own, facts, labels, env):
    """Values with the container's own group and stream names, resolved, where it sets them."""
    for name, template, key in zip(("group", "stream"), own, ("log_group_name", "log_stream_name")):
        if not template:
            continue
        go = {"Name": facts["container_name"], "ID": facts["container_id"], "Host": facts["container_hostname"],
              "LoggerHost": socket.gethostname()}
        text = _GO_FIELD.sub(lambda found: str(
            (labels if found.group(1) == "Labels" else env).get(found.group(2), "") if found.group(2)
            else go.get(found.group(1), "")), template)
        try:
            values[f"{name}_override"] = check_name(key, expand(text, {**values, "hostname": socket.gethostname()},
                                                                time.strftime("%Y-%m-%d", time.gmtime())))
        except ValueError as error:
            LOG.warning("container %s: its %s %r: %s; using the section's", facts["container_name"],
                        GROUP_OVERRIDE if name == "group" else STREAM_OVERRIDE, template, error)
    return values


def missing_root(stream):
    """A sentence if a docker section's data root has no containers folder, else None."""
    if stream.source == "docker" and not os.path.isdir(os.path.join(stream.options.docker_root, "containers")):
        return (f"docker_root: {stream.options.docker_root} has no containers folder (Docker's data root is where "
                "`docker info -f '{{.DockerRootDir}}'` says)")
    return None


def cri_containers(pattern):
    """The containers whose kubelet symlinks the glob matches."""
    found = []
    for path in sorted(glob.glob(pattern)):
        named = _CRI_NAME.fullmatch(os.path.basename(path))
        if named is None:
            found.append(Container(path, None, {}, "not named <pod>_<namespace>_<container>-<id>.log"))
            continue
        values = {"pod": named["pod"], "namespace": named["namespace"], "container_name": named["container"],
                  "container_id": named["id"][:12]}
        found.append(Container(path, os.path.realpath(path), values))
    return found


class ContainerSource(TailerGroup):
    """Every container of the host, each followed by a FileTailer of its own."""

    def __init__(self, stream, spec, saved, has_state, clock=time.monotonic):
        self.stream = stream
        self._spec = self.spec = spec  # shared by the section's readers: its counts too
        self._saved = saved
        self._has_state = has_state
        self._clock = clock
        self._read_records = functools.partial(RecordReader, record_format=stream.source,
                                               streams=stream.options.container_streams)
        self._tailers = {}  # container key -> FileTailer
        self._ignored = {}  # container key -> why (said once)
        self._folders = {}  # container key -> the folder of its files
        self._gone = []  # folders of containers removed and read to their end
        self._next_scan = 0.0
        self._started = False
        self.busy = False

    def containers(self, known=()):
        """The containers found now, but those in ``known`` (docker: not read again)."""
        if self.stream.source == "docker":
            return docker_containers(self.stream.options.docker_root,
                                     (self.stream.log_group_name, self.stream.log_stream_name),
                                     known)
        return [container for container in cri_containers(self.stream.options.file) if container.key not in known]

    def _dropped(self, keys):
        for key in keys:
            LOG.info("[%s] container %s is gone and read to its end", self.stream.section, key)
            self._gone.append(self._folders.pop(key))

    def _scan(self):
        problem = missing_root(self.stream)
        if problem and not self._started:
            LOG.warning("[%s] %s; will keep looking", self.stream.section, problem)
        docker = self.stream.source == "docker"
        if not docker:
            self._watch(static_folder(self.stream.options.file))
        for key in [key for key in self._ignored if not os.path.exists(key)]:
            del self._ignored[key]  # removed
        left_out = {key for key, why in self._ignored.items() if why == IGNORED}  # for its whole life
        for container in self.containers(known=set(self._tailers) | left_out):
            if container.ignored:
                if self._ignored.get(container.key) != container.ignored:
                    LOG.info("[%s] leaving out %s: %s", self.stream.section, container.key, container.ignored)
                self._ignored[container.key] = container.ignored
                continue
            LOG.info("[%s] following container %s (%s)", self.stream.section,
                     container.values.get("container_name"), container.log_path)
            follow_one = with_file(self.stream, glob.escape(container.log_path))
            self._folders[container.key] = os.path.dirname(container.log_path)
            self._follow(container.key, FileTailer(
                follow_one, self._spec, self._saved, self._has_state or self._started, self._clock,
                make_reader=self._read_records, name_values=container.values, new_origin=self._started))
        self._started = True
        if docker:
            self._watch_container_folders(os.path.join(self.stream.options.docker_root, "containers"))

    def _watch_container_folders(self, root):
        """The containers folder, and the folders of containers not followed yet: their
        config.v2.json and log file come after the folder."""
        self._watch(root)
        try:
            pending = {os.path.join(root, name) for name in os.listdir(root)} - set(self._tailers)
        except OSError:
            pending = set()
        pending -= {key for key, why in self._ignored.items() if why == IGNORED}
        watched = {folder for folder, _ in self._watched}
        for folder in pending - watched:
            self._watch(folder, WRITTEN)
            self._changed = True  # what came into it before the watch did is listed at the next poll
        for folder in watched - pending - {root}:
            self._unwatch(folder)

    def take_gone(self):
        """The folders of the containers removed since the last call: their positions can go."""
        gone, self._gone = self._gone, []
        return gone


def container_files(stream, positions):
    """[(Container, destination (group, stream) or None, [FileState])] for --check and --status:
    each container's files as the file survey sees them."""
    router = Router(stream.log_group_name, stream.log_stream_name, per_origin=True)
    found = []
    for container in ContainerSource(stream, None, {}, False).containers():
        if container.ignored:
            found.append((container, None, []))
            continue
        one = with_file(stream, glob.escape(container.log_path))
        found.append((container, router.destination(container.values, int(time.time() * 1000)),
                      survey(one, positions, bool(positions))))
    return found
