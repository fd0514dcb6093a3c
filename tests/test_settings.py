"""Settings: one table, each documented, environment overrides."""

from __future__ import annotations

import pytest

from graph_app.core.errors import InputError
from graph_app.core.settings import SETTINGS, load_settings

from .conftest import ROOT


def test_every_setting_is_documented():
    doc = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    for setting in SETTINGS:
        assert f"`QAGRAPH_{setting.name}`" in doc, setting.name
        assert setting.help


def test_environment_overrides_defaults(monkeypatch):
    monkeypatch.setenv("QAGRAPH_QUERY_TIMEOUT", "5")
    monkeypatch.setenv("QAGRAPH_LANG", "en")
    values = load_settings()
    assert values["QUERY_TIMEOUT"] == 5.0 and values["LANG"] == "en"


def test_a_bad_environment_value_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("QAGRAPH_ROW_LIMIT", "many")
    with pytest.raises(InputError) as err:
        load_settings()
    assert "QAGRAPH_ROW_LIMIT" in err.value.text("en")
