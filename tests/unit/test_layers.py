"""The package's layers (README, Development): setup.cfg's import-linter contracts hold, a wrong
arrow breaks them, no module reaches itself again through its imports (functions' included), an
import inside a function says why it is not at the top, and no class is over 150 lines nor any
function over 50. ``python3 tests/unit/test_layers.py`` prints the classes and functions over."""
import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "awscli_cwlogs"


def lint_imports(cwd):
    command = Path(sys.executable).with_name("lint-imports")
    if not command.exists():
        pytest.fail(f"{command} is missing: import-linter is one of the test extras (setup.cfg), pip install -e .[test]")
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    return subprocess.run([str(command), "--no-cache"], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_the_layer_contracts_are_kept():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


@pytest.mark.parametrize("module, wrong, named", [
    # a lower layer importing the engine
    ("lines/events.py", "from awscli_cwlogs.agent import pipeline", "awscli_cwlogs.lines.events -> awscli_cwlogs.agent.pipeline"),
    # one kind importing another
    ("sources/journal/entries.py", "from awscli_cwlogs.sources.files import kind",
     "awscli_cwlogs.sources.journal.entries -> awscli_cwlogs.sources.files.kind"),
    # what the kinds share importing one of them
    ("sources/tail/survey.py", "from awscli_cwlogs.sources.containers import records",
     "awscli_cwlogs.sources.tail.survey -> awscli_cwlogs.sources.containers.records"),
    # a kind added without a word in setup.cfg is held to it too
    ("sources/syslog/__init__.py", "from awscli_cwlogs.sources.journal import entries",
     "awscli_cwlogs.sources.syslog -> awscli_cwlogs.sources.journal.entries"),
])
def test_a_wrong_arrow_breaks_a_contract(tmp_path, module, wrong, named):
    shutil.copytree(PACKAGE, tmp_path / "awscli_cwlogs", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "setup.cfg", tmp_path / "setup.cfg")
    target = tmp_path / "awscli_cwlogs" / module
    target.parent.mkdir(exist_ok=True)
    target.write_text((target.read_text() if target.exists() else "") + f"\n{wrong}  # noqa\n")
    result = lint_imports(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "BROKEN" in result.stdout and named in result.stdout


def module_name(path):
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path, modules):
    """(module imported, line, at the top) for each of the package's modules ``path`` imports."""
    tree = ast.parse(path.read_text())
    top = {id(node) for node in tree.body}
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[:len(package.split(".")) - node.level + 1] + ([base] if base else []))
            names = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name:
                yield name, node.lineno, id(node) in top


def import_graph():
    paths = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    return paths, {module: {name for name, _, _ in imports_of(path, paths) if name != module}
                   for module, path in paths.items()}


def circles(graph):
    """The strongly connected components of more than one module (Tarjan's, iterative)."""
    index, low, stack, on_stack, found, counter = {}, {}, [], set(), [], [0]
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter[0]
                    counter[0] += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_module_imports_one_that_imports_it_back():
    _, graph = import_graph()
    assert circles(graph) == []


def test_the_circle_finder_finds_a_circle_through_a_function_level_import():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert circles({"a": {"b"}, "b": set()}) == []


def test_an_import_inside_a_function_says_why():
    paths, _ = import_graph()
    unexplained = []
    for module, path in paths.items():
        lines = path.read_text().splitlines()
        tree = ast.parse("\n".join(lines))
        top = {id(node) for node in tree.body}
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)) and id(node) not in top:
                here, above = lines[node.lineno - 1], node.lineno - 2
                while lines[above].strip().startswith(("import ", "from ")):  # a run of imports under one comment
                    above -= 1
                if "#" not in here and not lines[above].strip().startswith("#"):
                    unexplained.append(f"{path.relative_to(ROOT)}:{node.lineno}: {here.strip()}")
    assert unexplained == []


MOST_CLASS_LINES, MOST_FUNCTION_LINES = 150, 50


def oversized(package=PACKAGE):
    """(lines over, walked): "path:line kind name N lines" for each class over MOST_CLASS_LINES and
    function over MOST_FUNCTION_LINES (decorators and docstrings included), and how many of each
    the walk saw."""
    over, walked = [], {"classes": 0, "functions": 0}
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef):
                kind, most = "class", MOST_CLASS_LINES
                walked["classes"] += 1
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                kind, most = "def", MOST_FUNCTION_LINES
                walked["functions"] += 1
            else:
                continue
            lines = node.end_lineno - min([node.lineno] + [d.lineno for d in node.decorator_list]) + 1
            if lines > most:
                over.append(f"{path.relative_to(package.parent)}:{node.lineno} {kind} {node.name} {lines} lines")
    return over, walked


def test_no_class_over_150_lines_and_no_function_over_50():
    over, walked = oversized()
    assert over == [] and walked["classes"] > 100 and walked["functions"] > 500


def test_the_size_walk_finds_a_long_function_and_a_long_class(tmp_path):
    package = tmp_path / "package"
    package.mkdir()
    (package / "long.py").write_text("def f():\n" + "    x = 1\n" * 50 + "\n\nclass C:\n" + "    y = 1\n" * 150)
    over, walked = oversized(package)
    assert over == ["package/long.py:1 def f 51 lines", "package/long.py:54 class C 151 lines"]
    assert walked == {"classes": 1, "functions": 1}


if __name__ == "__main__":
    found, counts = oversized()
    print("\n".join(found) or f"no class over {MOST_CLASS_LINES} lines and no function over {MOST_FUNCTION_LINES} "
          f"({counts['classes']} classes and {counts['functions']} functions walked)")
    sys.exit(1 if found else 0)
