"""No function of the apps grows past a cyclomatic complexity of 12 (radon's measure): past
that, a function does several jobs and its tests cannot cover its paths."""

from pathlib import Path

from django.conf import settings
from radon.complexity import cc_visit

CEILING = 12
PACKAGES = ("cac_portal", "charter", "members", "dues", "receipts")


def blocks():
    for package in PACKAGES:
        for path in sorted((Path(settings.BASE_DIR) / package).rglob("*.py")):
            if "migrations" not in path.parts:
                for block in cc_visit(path.read_text()):
                    yield path.relative_to(settings.BASE_DIR), block


def test_no_function_over_the_ceiling():
    measured = list(blocks())
    assert len(measured) > 300, "radon read the apps"
    over = [
        f"{path}:{block.lineno} {block.fullname} ({block.complexity})"
        for path, block in measured
        if block.complexity > CEILING
    ]
    assert over == []
