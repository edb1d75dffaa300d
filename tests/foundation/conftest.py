"""The no-server-error fuzz reports how many requests it sent, at the end of the run (also
with -q, where its prints are captured)."""

from collections import Counter

import pytest

FUZZ_COUNTS = pytest.StashKey[Counter]()


def pytest_terminal_summary(terminalreporter, config):
    counts = config.stash.get(FUZZ_COUNTS, None)
    if counts:
        detail = ", ".join(f"{who} {count}" for who, count in sorted(counts.items()))
        terminalreporter.write_line(
            f"no-server-error fuzz: {sum(counts.values())} requests, none answered 5xx ({detail})"
        )
