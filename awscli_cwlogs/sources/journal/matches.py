"""A section's units, priority and matches as sd-journal matches, with journalctl's meaning: each
unit's own messages, its coredumps, PID 1's and privileged daemons' messages about it (and, for
a slice, its members'); units OR-ed; then AND the priority levels; then AND the FIELD=value terms
("+" between groups). A plain list of steps, so it is tested without a journal."""
import fnmatch
import re

MATCH, OR, AND = "match", "or", "and"
COREDUMP_MESSAGE_ID = "fc2e22bc6ee647b6b90729ab34a250b1"
UNIT_SUFFIXES = (".service", ".socket", ".target", ".timer", ".mount", ".slice", ".scope", ".device", ".swap",
                 ".path", ".automount")
UNIT_FIELDS = ("_SYSTEMD_UNIT", "COREDUMP_UNIT", "UNIT", "OBJECT_SYSTEMD_UNIT", "_SYSTEMD_SLICE")
_GLOB = re.compile(r"[*?\[]")


def mangled(unit):
    """The unit name journalctl reads for ``unit``: ``.service`` added when it has no unit suffix."""
    return unit if unit.endswith(UNIT_SUFFIXES) else unit + ".service"


def units_matching(patterns, known_units):
    """The units to read: plain names as they are (mangled), globs expanded over the units the
    journal knows (``known_units``: a callable, asked only if there is a glob), in order, once."""
    units = []
    for pattern in map(mangled, patterns):
        found = sorted(unit for unit in known_units() if fnmatch.fnmatchcase(unit, pattern)) \
            if _GLOB.search(pattern) else [pattern]
        units += [unit for unit in found if unit not in units]
    return units


def unit_steps(unit):
    steps = [(MATCH, f"_SYSTEMD_UNIT={unit}"),
             (OR,), (MATCH, f"MESSAGE_ID={COREDUMP_MESSAGE_ID}"), (MATCH, "_UID=0"), (MATCH, f"COREDUMP_UNIT={unit}"),
             (OR,), (MATCH, "_PID=1"), (MATCH, f"UNIT={unit}"),
             (OR,), (MATCH, "_UID=0"), (MATCH, f"OBJECT_SYSTEMD_UNIT={unit}")]
    if unit.endswith(".slice"):
        steps += [(OR,), (MATCH, f"_SYSTEMD_SLICE={unit}")]
    return steps


class NoUnits(ValueError):
    """The units are globs that no unit in the journal matches yet (journalctl fails then too)."""


def journal_steps(stream, known_units=lambda: ()):
    """The steps that choose ``stream``'s entries; [] for the whole journal."""
    steps = []
    if stream.options.units:
        units = units_matching(stream.options.units, known_units)
        if not units:
            raise NoUnits(f"no unit in the journal matches {' '.join(stream.options.units)} yet")
        for number, unit in enumerate(units):
            steps += ([(OR,)] if number else []) + unit_steps(unit)
        steps.append((AND,))
    if stream.options.priority is not None:
        steps += [(MATCH, f"PRIORITY={level}") for level in range(int(stream.options.priority) + 1)] + [(AND,)]
    for term in stream.options.matches:
        steps.append((OR,) if term == "+" else (MATCH, term))
    return steps
