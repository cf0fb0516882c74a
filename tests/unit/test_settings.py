"""Settings: defaults, parsing, and one clear error naming the variable."""

import pytest

from app.settings import DEFAULT_DATABASE_URL, ConfigError, Settings


def test_defaults_run_in_demo_mode_on_sqlite() -> None:
    settings = Settings.from_env({})
    assert settings.port == 8000
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.demo_mode and not settings.is_postgres
    assert settings.workers == 1  # one process unless MEDQA_WORKERS says otherwise


def test_reads_every_documented_variable() -> None:
    settings = Settings.from_env(
        {
            "MEDQA_ENV": "staging",
            "MEDQA_HOST": "::",
            "MEDQA_PORT": "9000",
            "MEDQA_DATABASE_URL": "postgres://u:p@db:5432/medqa",
            "GEMINI_API_KEY": "k",
            "MEDQA_GEMINI_MODEL": "gemini-x",
            "MEDQA_GEMINI_BASE_URL": "http://127.0.0.1:1/",
            "MEDQA_GEMINI_TIMEOUT_S": "3.5",
            "MEDQA_LOG_LEVEL": "DEBUG",
            "MEDQA_LOG_FORMAT": "console",
            "MEDQA_WORKERS": "2",
        }
    )
    assert (settings.env, settings.host, settings.port) == ("staging", "::", 9000)
    assert settings.is_postgres and not settings.demo_mode
    assert settings.gemini_base_url == "http://127.0.0.1:1"
    assert (settings.gemini_timeout_s, settings.log_level, settings.log_format) == (3.5, "debug", "console")
    assert settings.workers == 2


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("MEDQA_PORT", "http", "MEDQA_PORT: must be an integer"),
        ("MEDQA_PORT", "70000", "MEDQA_PORT: must be between 1 and 65535"),
        ("MEDQA_ENV", "qa", "MEDQA_ENV: must be one of"),
        ("MEDQA_LOG_FORMAT", "xml", "MEDQA_LOG_FORMAT: must be one of json, console"),
        ("MEDQA_DATABASE_URL", "mysql://x", "MEDQA_DATABASE_URL: must start with"),
        ("MEDQA_GEMINI_TIMEOUT_S", "-1", "MEDQA_GEMINI_TIMEOUT_S: must be between"),
        ("MEDQA_GEMINI_BASE_URL", "ftp://x", "MEDQA_GEMINI_BASE_URL: must be an http"),
        ("MEDQA_GEMINI_MODEL", "models/gemini", "MEDQA_GEMINI_MODEL: must be a bare model id"),
        ("MEDQA_AUTO_MIGRATE", "maybe", "MEDQA_AUTO_MIGRATE: must be true or false"),
        ("MEDQA_WORKERS", "0", "MEDQA_WORKERS: must be between 1 and 64"),
        ("MEDQA_WORKERS", "two", "MEDQA_WORKERS: must be an integer"),
    ],
)
def test_invalid_values_name_the_variable(name: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Settings.from_env({name: value})


def test_database_url_error_does_not_echo_the_value() -> None:
    with pytest.raises(ConfigError) as info:
        Settings.from_env({"MEDQA_DATABASE_URL": "mysql://user:secret@db"})
    assert "secret" not in str(info.value)


def test_prod_refuses_demo_mode() -> None:
    with pytest.raises(ConfigError, match="GEMINI_API_KEY: required when MEDQA_ENV=prod"):
        Settings.from_env({"MEDQA_ENV": "prod"})


def test_api_key_is_not_in_repr() -> None:
    assert "top-secret" not in repr(Settings.from_env({"GEMINI_API_KEY": "top-secret"}))
