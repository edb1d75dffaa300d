"""The suite's one clock.

Every test runs at one instant, `NOW`, chosen by the `TEST_NOW` environment variable (default:
`DEFAULT`), with time moving on from there (time-machine, started by the root conftest for each
test). Every year and date a test needs derives from `NOW`: import them from here, never read the
real date. A test that needs the real clock (a real worker process, a real broker, a timeout)
says so with `@pytest.mark.real_clock("why")`.

`TEST_NOW` is an ISO 8601 date or date and time: `2028-02-29` (noon in Paris),
`2026-12-31T23:30:00Z` or `2026-12-31T23:30+00:00` (an instant), `2027-06-15T09:00` (Paris time).
"""

import datetime
import os
import zoneinfo

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
DEFAULT = "2026-12-08T10:00:00+01:00"

# The newest date of what the suite takes as given: the CAC defaults' second privacy notice
# takes effect on 22 November 2026 (charter/defaults.py), and the bank statements of tests/data
# are of March and April 2026. The clock stands on or after it, as a real install would.
FLOOR = datetime.date(2026, 11, 22)


def parse(value):
    """The aware instant `value` names; ValueError with the accepted forms otherwise."""
    text = value.strip()
    try:
        if len(text) == 10:
            day = datetime.date.fromisoformat(text)
            return datetime.datetime.combine(day, datetime.time(12), tzinfo=PARIS)
        moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"TEST_NOW={value!r} is not an ISO 8601 date or date and time "
            "(e.g. 2028-02-29, 2026-12-31T23:30:00Z, 2027-06-15T09:00)"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=PARIS)


NOW = parse(os.environ.get("TEST_NOW") or DEFAULT)
# The collective's day and year at NOW (Paris time: at 23:30 UTC on 31 December it is already
# 1 January there).
TODAY = NOW.astimezone(PARIS).date()
if TODAY < FLOOR:
    raise ValueError(
        f"TEST_NOW={NOW.isoformat()} is before {FLOOR}, the newest date of the suite's data"
    )
YEAR = TODAY.year
LAST_YEAR = YEAR - 1
NEXT_YEAR = YEAR + 1


def days_ago(days):
    return TODAY - datetime.timedelta(days=days)


def in_last_year(month, day):
    """A day of last year (always past, whatever the day of NOW): 29 February falls back to
    28 February."""
    try:
        return datetime.date(LAST_YEAR, month, day)
    except ValueError:
        return datetime.date(LAST_YEAR, month, day - 1)
