"""One clock: the code reads time only through Django's timezone (Paris time, aware), and the
tests read it only while the suite's clock runs (tests/clock.py), never when Python imports them:
a module-level `timezone.localdate()` would take the machine's real date, and the suite would
pass or fail with the calendar."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("cac_portal", "charter", "members", "dues", "receipts")

# Calls that read the machine's clock without a time zone, or the local time of the server.
NAIVE = {"date.today", "datetime.today", "datetime.now", "datetime.utcnow", "time.localtime"}
# Calls that read the clock at all: fine in a test's body, not when the module is imported.
CLOCK = NAIVE | {"timezone.now", "timezone.localdate", "timezone.localtime", "current_year"}


def dotted(node):
    """`a.b.c` for a call's function, the last two parts kept (`datetime.date.today` reads as
    `date.today`)."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return ".".join(reversed(parts[:2]))


def calls(node, names):
    return [
        f"line {call.lineno}: {dotted(call.func)}()"
        for call in ast.walk(node)
        if isinstance(call, ast.Call) and dotted(call.func) in names
    ]


class _ImportTime(ast.NodeVisitor):
    """The clock calls Python runs when it imports a module: module and class bodies,
    decorators (pytest's parametrize) and default values; not function bodies nor lambdas."""

    def __init__(self):
        self.found = []

    def visit_FunctionDef(self, node):
        for part in [*node.decorator_list, *node.args.defaults, *node.args.kw_defaults]:
            if part is not None:
                self.visit(part)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node):
        for default in node.args.defaults:
            self.visit(default)

    def visit_Call(self, node):
        if dotted(node.func) in CLOCK:
            self.found.append(f"line {node.lineno}: {dotted(node.func)}()")
        self.generic_visit(node)


def read_at_import(tree):
    visitor = _ImportTime()
    visitor.visit(tree)
    return visitor.found


def modules(*folders):
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path, ast.parse(path.read_text(), str(path))


def test_the_code_reads_the_time_through_djangos_timezone_only():
    offenders = {
        str(path.relative_to(ROOT)): found
        for path, tree in modules(*APPS)
        if (found := calls(tree, NAIVE))
    }
    assert offenders == {}, "use timezone.now() / timezone.localdate() (Paris time)"


def test_no_test_module_reads_the_clock_when_it_is_imported():
    offenders = {}
    for path, tree in modules("tests"):
        if "bench" in path.parts or path.name == "clock.py":
            continue
        found = read_at_import(tree) + calls(tree, NAIVE)
        if found:
            offenders[str(path.relative_to(ROOT))] = found
    assert offenders == {}, "derive dates from tests/clock.py (the suite's one clock)"


def test_the_check_finds_a_clock_read_at_import():
    tree = ast.parse(
        "import pytest\n"
        "from django.utils import timezone\n"
        "YEAR = timezone.localdate().year\n"
        "@pytest.mark.parametrize('y', [current_year() + 1])\n"
        "def test_x(y, when=timezone.now()):\n"
        "    return timezone.now()\n"
        "LATER = lambda: timezone.now()\n"
    )
    assert read_at_import(tree) == [
        "line 3: timezone.localdate()",
        "line 4: current_year()",
        "line 5: timezone.now()",
    ]
