"""The suite's databases are built from the models (``--no-migrations``, decision 027), so the models and the
migrations must agree: a model change without its migration fails here, not first on a county's server."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings


@pytest.mark.django_db
def test_every_model_change_has_its_migration():
    out = StringIO()
    with override_settings(MIGRATION_MODULES={}):
        try:
            call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
        except SystemExit:
            pytest.fail(f"makemigrations would write a migration:\n{out.getvalue()}")
    assert "No changes detected" in out.getvalue()
