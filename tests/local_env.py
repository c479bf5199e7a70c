"""The test run's environment defaults, as `make test` sets them.

Loaded as a plugin (`-p tests.local_env` in pyproject.toml's pytest options)
because plugins named with `-p` are imported before pytest-django reads the
settings, and conftest files only after. It sets DEBUG=true unless the
environment says otherwise, so a bare `pytest` runs on the embedded local
defaults instead of stopping at "SECRET_KEY is not set".
"""

import os

os.environ.setdefault("DEBUG", "true")
