"""``aws logs push --check``: what each stream section would do, without calling AWS.

Per section, what its kind reports (sources/*/kind.py): the resolved names, what it reads and
what is not shipped yet, a preview of the first events; then each problem on one line."""
import time

from awscli_cwlogs.cloudwatch.accounts import Identity
from awscli_cwlogs.sources.kinds import kind_of


def check_report(agent_config, store, now=time.time, configuration=None):
    """(report text, [problem lines]) for every stream section; ``configuration``: a first line
    saying where it came from."""
    lines, problems = [f"configuration: {configuration}", ""] if configuration else [], []
    for stream in agent_config.streams:
        positions = store.positions(stream.log_group_name, stream.log_stream_name) if store else {}
        section_lines, found = kind_of(stream).check(stream, positions, now)
        found = [f"[{stream.section}] {problem}" for problem in found]
        lines += section_lines[:1] + [f"  signs with: {Identity.of(stream).describe()}"] + section_lines[1:]
        lines += [f"  problem: {problem}" for problem in found] + [""]
        problems += found
    lines.append(f"{len(problems)} problem(s) found" if problems else "no problems found")
    return "\n".join(lines) + "\n", problems
