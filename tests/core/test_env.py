"""Settings helpers fail loudly on bad values."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from baifang.core.env import csp_source_of, env_bool, env_choice, env_int, env_list


def test_env_bool(monkeypatch):
    monkeypatch.setenv("X_FLAG", "yes")
    assert env_bool("X_FLAG") is True
    monkeypatch.setenv("X_FLAG", "0")
    assert env_bool("X_FLAG", default=True) is False
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG"):
        env_bool("X_FLAG")


def test_env_int(monkeypatch):
    monkeypatch.setenv("X_NUM", "12")
    assert env_int("X_NUM", 3) == 12
    monkeypatch.setenv("X_NUM", "twelve")
    with pytest.raises(ImproperlyConfigured):
        env_int("X_NUM", 3)
    monkeypatch.setenv("X_NUM", "0")
    with pytest.raises(ImproperlyConfigured):
        env_int("X_NUM", 3, minimum=1)


def test_env_list_and_choice(monkeypatch):
    monkeypatch.setenv("X_HOSTS", "a.example, b.example,,")
    assert env_list("X_HOSTS") == ["a.example", "b.example"]
    monkeypatch.setenv("X_KIND", "redis")
    assert env_choice("X_KIND", ("sqlite", "redis"), "sqlite") == "redis"
    monkeypatch.setenv("X_KIND", "kafka")
    with pytest.raises(ImproperlyConfigured):
        env_choice("X_KIND", ("sqlite", "redis"), "sqlite")


def test_secret_key_is_required_outside_debug():
    """Settings refuse to start without SECRET_KEY when DEBUG is off."""
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", "import baifang.settings"],
        env={"DEBUG": "0", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_r_sec_2_tiles_url_becomes_one_csp_source():
    assert csp_source_of("") == ""
    assert csp_source_of("https://tiles.example.cn/{z}/{x}/{y}.png") == "https://tiles.example.cn"
    assert (
        csp_source_of("http://{s}.tiles.example.cn:8080/{z}/{x}/{y}.png") == "http://*.tiles.example.cn:8080"
    )
    with pytest.raises(ImproperlyConfigured, match="tiles"):
        csp_source_of("tiles.example.cn/{z}/{x}/{y}.png")
