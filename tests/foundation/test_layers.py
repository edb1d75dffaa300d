"""The house's import rules, read from the code itself (every module's `import` statements):

- layers: `charter` and `members` → `dues` → `receipts`; an app imports only from apps below it
  (or beside it, for the two bottom ones), never from above;
- `cac_portal` is the wiring: the modules of it that apps may import (settings readers, the
  task dispatcher, HTTP helpers...) import no app themselves;
- no cycle between modules, and no import of a project module inside a function to dodge one
  (but in `AppConfig.ready`, where Django wires signals and tasks).
"""

import ast
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
RANK = {"members": 0, "charter": 0, "dues": 1, "receipts": 2}
PROJECT = {*RANK, "cac_portal"}


def modules():
    """{dotted name: path} of the project's own modules, migrations left out."""
    found = {}
    for package in PROJECT:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = modules()


def _target(module, name):
    """`from module import name`: the submodule if `name` is one, else the module itself."""
    return f"{module}.{name}" if f"{module}.{name}" in MODULES else module


def imports(path):
    """[(imported project module, line, enclosing function or None)] of one file."""
    found = []

    def visit(node, function):
        for child in ast.iter_child_nodes(node):
            inner = child.name if isinstance(child, ast.FunctionDef) else function
            if isinstance(child, ast.Import):
                found.extend((alias.name, child.lineno, function) for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module and not child.level:
                found.extend(
                    (_target(child.module, alias.name), child.lineno, function)
                    for alias in child.names
                )
            visit(child, inner)

    visit(ast.parse(path.read_text()), None)
    return [(name, line, fn) for name, line, fn in found if name.split(".")[0] in PROJECT]


GRAPH = {name: imports(path) for name, path in MODULES.items()}


def app(module):
    return module.split(".")[0]


def test_no_app_imports_from_an_app_above_it():
    upward = [
        f"{MODULES[module]}:{line}: {module} imports {target}"
        for module, edges in GRAPH.items()
        for target, line, _ in edges
        if app(module) in RANK and app(target) in RANK and RANK[app(target)] > RANK[app(module)]
    ]
    assert upward == []


def _reaches_an_app(module, seen=None):
    seen = set() if seen is None else seen
    for target, _, _ in GRAPH.get(module, []):
        if app(target) in RANK:
            return True
        if target not in seen:
            seen.add(target)
            if _reaches_an_app(target, seen):
                return True
    return False


def test_what_apps_import_from_cac_portal_imports_no_app():
    used = {
        target
        for module, edges in GRAPH.items()
        if app(module) in RANK
        for target, _, _ in edges
        if app(target) == "cac_portal"
    }
    assert used, "the apps use the portal's infrastructure (settings readers, tasking...)"
    assert sorted(module for module in used if _reaches_an_app(module)) == []


def test_no_project_import_inside_a_function_but_in_app_ready():
    hidden = [
        f"{MODULES[module]}:{line}: {target} imported inside {function}()"
        for module, edges in GRAPH.items()
        for target, line, function in edges
        if function is not None and not (module.endswith(".apps") and function == "ready")
    ]
    assert hidden == []


def cycles():
    """Strongly connected groups of more than one module (Tarjan), and self-imports."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def connect(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target, _, _ in GRAPH.get(node, []):
            if target not in MODULES:
                continue
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1 or any(t == node for t, _, _ in GRAPH[node]):
                found.append(sorted(group))

    for node in sorted(MODULES):
        if node not in index:
            connect(node)
    return found


def test_no_cycle_between_modules():
    assert cycles() == []


def test_the_rules_see_the_code():
    """The reader finds what it should: the apps' known downward imports."""
    assert "dues.models" in {t for t, _, _ in GRAPH["receipts.services.issuing"]}
    assert "members.models" in {t for t, _, _ in GRAPH["dues.models"]}
    assert len(MODULES) > 50
