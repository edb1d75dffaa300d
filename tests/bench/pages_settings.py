"""The settings `make bench` serves the pages with: production's, plus the bare view of
`tests.bench.pages_urls` (the framework's floor). Never used outside the bench."""

from cac_portal.settings import *  # noqa: F403

ROOT_URLCONF = "tests.bench.pages_urls"
