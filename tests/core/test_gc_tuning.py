"""Decision 029: the web process freezes what loading the application built and collects young objects less
often (config/gc_tuning.py, called by config/wsgi.py)."""

import gc
import importlib
import sys

import pytest


@pytest.fixture
def restore_gc():
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


def test_the_wsgi_application_settles_the_collector(restore_gc):
    gc.unfreeze()
    gc.set_threshold(700, 10, 10)
    sys.modules.pop("config.wsgi", None)
    wsgi = importlib.import_module("config.wsgi")
    assert callable(wsgi.application)
    assert gc.get_threshold() == (20_000, 10, 10)
    assert gc.get_freeze_count() > 50_000  # Django, the apps and every view were loaded and frozen
    assert "attendance.views" in sys.modules and "supervision.views" in sys.modules
