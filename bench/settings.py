"""The site's own settings, with one more URL: a bare view, the floor every
page is measured against."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
