import pytest

from bots.settings import AppSettings, Settings, SettingsError, load_settings


def test_development_generates_a_secret_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first, second = AppSettings(), AppSettings()
    assert len(first.secret_key) >= 32 and first.secret_key != second.secret_key


@pytest.mark.parametrize("secret", [None, "change-me-to-a-long-random-string", "short"])
def test_production_refuses_weak_secrets(monkeypatch: pytest.MonkeyPatch, secret: str | None) -> None:
    monkeypatch.setenv("ROUTIX_ENV", "production")
    if secret is None:
        monkeypatch.delenv("SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("SECRET_KEY", secret)
    with pytest.raises(SettingsError, match="SECRET_KEY must be set"):
        load_settings()


def test_production_accepts_a_strong_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROUTIX_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    assert load_settings().app.secret_key == "k" * 40


def test_admins_are_parsed_and_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROUTIX_ADMINS", "telegram:123, discord:456,console:alice")
    assert load_settings().app.admins == {("telegram", "123"), ("discord", "456"), ("console", "alice")}
    monkeypatch.setenv("ROUTIX_ADMINS", "myspace:1")
    with pytest.raises(SettingsError, match="ROUTIX_ADMINS"):
        load_settings()


def test_database_defaults_to_sqlite_in_the_data_dir(tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(app=AppSettings(routix_data_dir=tmp_path))
    assert settings.database_url == f"sqlite:///{tmp_path / 'routix.db'}"


def test_an_unsupported_database_is_named_without_repeating_its_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "mysql://routix:hunter2-secret@db.example/routix")
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert "DATABASE_URL" in str(error.value) and "postgresql://" in str(error.value)
    assert "hunter2-secret" not in str(error.value)


@pytest.mark.parametrize("url", ["routix:Sup3rS3cretPW@db.example:5432/routix", "postgresql:/routix:Sup3rS3cretPW@db",
                                 "postgresql://routix:Sup3rS3cretPW@db.example:notaport/routix"])
def test_a_malformed_database_url_is_explained_without_its_password(monkeypatch: pytest.MonkeyPatch,
                                                                     url: str) -> None:
    """Without "://" the whole value (password and all) was the "scheme" the message named."""
    monkeypatch.setenv("DATABASE_URL", url)
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert "DATABASE_URL" in str(error.value) and "Sup3rS3cretPW" not in str(error.value)


@pytest.mark.parametrize(("name", "value"), [
    ("ROUTIX_LOG_LEVEL", "verbose"), ("TELEGRAM_API_BASE_URL", "api.telegram.org/bot"),
    ("TELEGRAM_API_BASE_URL", "http://127.0.0.1:99999/bot"), ("TELEGRAM_WEBHOOK_PORT", "99999"),
    ("TELEGRAM_MAX_BYTES", "-1"), ("DISCORD_API_BASE_URL", "discord.com/api"), ("OPENAI_BASE_URL", "localhost:8080"),
    ("DISCORD_GUILD_IDS", "abc"), ("DISCORD_SHARD_IDS", "a,b"), ("DISCORD_SHARD_IDS", "1"),
])
def test_a_bad_value_is_named_at_start_not_a_traceback_later(monkeypatch: pytest.MonkeyPatch, name: str,
                                                             value: str) -> None:
    """A log level logging does not know, a base URL a client fails on with the token in it, a port past 65535."""
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=name):
        load_settings()


@pytest.mark.parametrize("name", ["OPENAI_BASE_URL", "SDWEBUI_BASE_URL", "STORAGE_S3_ENDPOINT_URL"])
def test_a_bad_url_with_credentials_in_it_is_named_without_them(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setenv(name, "https://user:sk-live-SECRETVALUE@api.example.org:99999/v1")
    with pytest.raises(SettingsError, match=name) as error:
        load_settings()
    assert "SECRETVALUE" not in str(error.value)


def test_discord_shards_within_their_count_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_SHARD_COUNT", "4")
    monkeypatch.setenv("DISCORD_SHARD_IDS", "0, 3")
    monkeypatch.setenv("DISCORD_GUILD_IDS", "123456789012345678,234567890123456789")
    assert load_settings().discord.shards == [0, 3]
    monkeypatch.setenv("DISCORD_SHARD_IDS", "4")
    with pytest.raises(SettingsError, match="below DISCORD_SHARD_COUNT"):
        load_settings()


def test_the_log_level_is_read_in_any_case(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROUTIX_LOG_LEVEL", "debug")
    assert load_settings().app.routix_log_level == "DEBUG"


@pytest.mark.parametrize("url", ["sqlite:////data/routix.db", "sqlite+aiosqlite:////data/routix.db",
                                 "postgresql://routix@db/routix", "postgresql+asyncpg://routix@db/routix?schema=r"])
def test_database_urls_for_the_earlier_async_drivers_still_work(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("DATABASE_URL", url)
    assert load_settings().database_url == url


def test_the_example_environment_lists_every_setting() -> None:
    from pathlib import Path

    from bots.settings import Settings

    example = (Path(__file__).resolve().parents[2] / ".env.example").read_text()
    lines = [line for line in example.splitlines() if "=" in line and not line.startswith("#")]
    listed = {line.split("=", 1)[0].strip() for line in lines}
    expected = set()
    for model in vars(Settings()).values():
        prefix = str(model.model_config.get("env_prefix") or "")
        expected |= {(prefix + name).upper() for name in type(model).model_fields}
    assert expected - listed == set(), "settings missing from .env.example"
