"""``source = docker`` and ``source = cri``: every container of the host, each one's output
followed as files (Docker's json-file logs, or the kubelet's CRI logs), each container with a
log group and stream of its own."""
from awscli_cwlogs.config import values as parse
from awscli_cwlogs.lines.events import event_spec
from awscli_cwlogs.sources.containers.source import ContainerSource, container_files, missing_root
from awscli_cwlogs.sources.containers.options import ContainerOptions
from awscli_cwlogs.sources.tail.keys import LINE_KEYS, options_of
from awscli_cwlogs.sources.tail.survey import file_lines


class ContainerKind:
    needs_file = False
    routes_per_origin = True

    def __init__(self, name, keys, defaults, placeholders, parameters=()):
        self.name, self.keys, self.defaults = name, keys, defaults
        self.placeholders, self.parameters = placeholders, parameters

    def options(self, values):
        return options_of(ContainerOptions, values)

    def open(self, stream, saved, has_state):
        return ContainerSource(stream, event_spec(stream.options.lines, stream.batch_size, stream.record), saved, has_state)

    def check(self, stream, positions, now):
        """The containers it finds, those it leaves out and why, each one's group, stream and files."""
        where = stream.options.docker_root if stream.source == "docker" else stream.options.file
        lines = [f"[{stream.section}] {stream.source} containers ({where}) -> log group {stream.log_group_name}, "
                 f"log stream {stream.log_stream_name}  ({stream.defined_in})"]
        found = container_files(stream, positions)
        for container, destination, files in found:
            name = container.values.get("container_name", container.key)
            if container.ignored:
                lines.append(f"  left out  {name}: {container.ignored}")
                continue
            lines.append(f"  container {name}: log group {destination[0]}, log stream {destination[1]}")
            lines += file_lines(files, "    ")
        if not found:
            lines.append("  no container found yet (new ones are picked up while the agent runs)")
        return lines, [problem for problem in [missing_root(stream)] if problem]

    def survey(self, stream, positions):
        return [(container.values.get("container_name"), states)
                for container, _, states in container_files(stream, positions)]

    def status(self, stream, positions):
        return {}

    def status_lines(self, entry):
        return []


_STREAMS = {"container_streams": parse.container_streams}
# logspout-cloudwatch's names: group = the host, stream = the container
DOCKER = ContainerKind("docker", {"docker_root": parse.text, **_STREAMS, **LINE_KEYS},
                       {"log_group_name": "{hostname}", "log_stream_name": "{container_name}"},
                       ("container_name", "container_id", "image"), ("label:", "container_env:"))
CRI = ContainerKind("cri", {"file": parse.text, **_STREAMS, **LINE_KEYS},
                    {"log_group_name": "{hostname}", "log_stream_name": "{namespace}/{pod}/{container_name}",
                     "file": "/var/log/containers/*.log"},
                    ("pod", "namespace", "container_name", "container_id"))
