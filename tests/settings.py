"""The settings the test suite runs with: production's, read from the same environment, and
only what makes the suite fast and strict changed.

- Passwords are hashed with MD5: every test user would otherwise cost PBKDF2's million
  iterations (half a second each).
- A task run in-process raises its error in the call that queued it, so that a failing task
  fails the test that triggered it instead of hiding in a result nobody reads.
"""

from cac_portal.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

CELERY_TASK_EAGER_PROPAGATES = True
