"""Uploads made by the import tests land in a temporary directory, not in the project's media folder."""

import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
