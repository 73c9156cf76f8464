"""README's Development section: the tree names every module of the package, one line each, so
the next engineer finds a module's job without opening it."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def tree_lines():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Development"):]
    return re.findall(r"^ +(\S+\.py) +\S", section, flags=re.M)


def test_every_module_has_a_line_in_the_development_tree():
    listed = set(tree_lines())
    modules = {path.name for path in (ROOT / "awscli_cwlogs").rglob("*.py")
               if path.name != "__init__.py" or path.parent.name == "awscli_cwlogs"}
    assert sorted(modules - listed) == []
