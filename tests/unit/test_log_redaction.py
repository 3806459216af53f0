"""The log redaction filter on real `logging` handlers: known secrets and secret-shaped text never get written."""

from __future__ import annotations

import io
import logging
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic_settings import BaseSettings

from bots.logs import REDACTED, SecretRedactor, install_redaction, settings_secrets
from bots.settings import AppSettings, DatabaseSettings, DiscordSettings, Settings, TelegramSettings

TELEGRAM_TOKEN = "123456789:FAKE-telegram-token-for-tests_000"
DISCORD_TOKEN = "FAKEdiscordBotTokenForTests000.GaBcDe.fake-signature-part-for-tests-only"
SECRET_KEY = "test-secret-key-not-real-0123456789abcdef"


def capture(redactor: SecretRedactor) -> tuple[logging.Logger, io.StringIO]:
    """A logger of its own writing through a redacting handler into a string."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.addFilter(redactor)
    logger = logging.getLogger(f"test.redaction.{uuid.uuid4().hex}")
    logger.propagate, logger.level = False, logging.DEBUG
    logger.addHandler(handler)
    return logger, stream


@pytest.fixture
def log() -> tuple[logging.Logger, io.StringIO]:
    return capture(SecretRedactor([TELEGRAM_TOKEN, SECRET_KEY]))


def test_a_literal_secret_in_the_message_or_its_arguments_is_redacted(log: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = log
    logger.debug(f"Set Bot API URL: http://127.0.0.1:8081/bot{TELEGRAM_TOKEN}")
    logger.info("calling %s with key=%r", f"/bot{TELEGRAM_TOKEN}/getMe", SECRET_KEY)
    written = stream.getvalue()
    assert TELEGRAM_TOKEN not in written and SECRET_KEY not in written
    assert "Set Bot API URL: http://127.0.0.1:8081/bot[redacted]\n" in written
    assert "calling /bot[redacted]/getMe with key='[redacted]'" in written


def test_the_record_carries_the_redacted_text_so_every_later_formatter_sees_it() -> None:
    redactor = SecretRedactor([SECRET_KEY])
    record = logging.makeLogRecord({"msg": "key %s and %d", "args": (SECRET_KEY, 7)})
    assert redactor.filter(record) is True
    assert (record.msg, record.args) == (f"key {REDACTED} and 7", None)


def test_exception_messages_and_tracebacks_are_redacted(log: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = log
    try:
        raise ConnectionError(f"cannot reach http://127.0.0.1:1/bot{TELEGRAM_TOKEN}/getUpdates")
    except ConnectionError:
        logger.exception("polling failed for %s", SECRET_KEY)
    written = stream.getvalue()
    assert TELEGRAM_TOKEN not in written and SECRET_KEY not in written
    assert "polling failed for [redacted]" in written
    assert "Traceback (most recent call last)" in written
    assert "ConnectionError: cannot reach http://127.0.0.1:1/bot[redacted]/getUpdates" in written


def test_a_traceback_already_formatted_by_another_handler_is_redacted_too() -> None:
    try:
        raise ValueError(SECRET_KEY)
    except ValueError as error:
        record = logging.makeLogRecord({"msg": "boom", "exc_info": (type(error), error, error.__traceback__)})
    record.exc_text = logging.Formatter().formatException(record.exc_info)  # type: ignore[arg-type]
    SecretRedactor([SECRET_KEY]).filter(record)
    assert record.exc_text is not None and SECRET_KEY not in record.exc_text and REDACTED in record.exc_text


def test_stack_info_is_redacted(log: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = log
    stack = f'Stack (most recent call last):\n  File "bot.py", line 1, in <module>\n    connect("{SECRET_KEY}")'
    logger.handle(logger.makeRecord(logger.name, logging.INFO, "bot.py", 1, "where", None, None, sinfo=stack))
    logger.debug("a real stack", stack_info=True)
    written = stream.getvalue()
    assert SECRET_KEY not in written
    assert f'connect("{REDACTED}")' in written and "a real stack\nStack (most recent call last)" in written


@pytest.mark.parametrize(("text", "secret", "readable"), [
    ("GET https://api.example.org/bot7012345678:AAHfakeTelegramTokenPart_0123456789/getMe",
     "7012345678:AAHfakeTelegramTokenPart_0123456789", "https://api.example.org/bot[redacted]/getMe"),
    (f"login with {DISCORD_TOKEN} now", DISCORD_TOKEN, "login with [redacted] now"),
    ("PATCH http://127.0.0.1:9/api/v10/webhooks/1100223344/aW50ZXJhY3Rpb246ZmFrZQ/messages/@original has returned 200",
     "aW50ZXJhY3Rpb246ZmFrZQ", "/api/v10/webhooks/1100223344/[redacted]/messages/@original has returned 200"),
    ("POST http://127.0.0.1:9/api/v10/interactions/1100223355/itoken-1100223366/callback with None has returned 204",
     "itoken-1100223366", "/api/v10/interactions/1100223355/[redacted]/callback with None has returned 204"),
    ("headers {'Authorization': 'Bot fake.bot.credential', 'User-Agent': 'x'}", "fake.bot.credential",
     "{'Authorization': 'Bot [redacted]', 'User-Agent': 'x'}"),
    ("Authorization: Bearer fakeBearerValue0000", "fakeBearerValue0000", "Authorization: Bearer [redacted]"),
    ("provider key sk-fakeProviderKey0000000000 rejected", "sk-fakeProviderKey0000000000",
     "provider key [redacted] rejected"),
    ("connecting to postgresql://routix:fake-db-pass@db.internal:5432/routix", "fake-db-pass",
     "postgresql://routix:[redacted]@db.internal:5432/routix"),
    ("WebSocket Event: {'t': 'INTERACTION_CREATE', 'd': {'token': 'itoken-5566778899', 'id': '1'}}",
     "itoken-5566778899", "{'token': '[redacted]', 'id': '1'}"),
    ("Calling Bot API endpoint `setWebhook` with parameters `{'secret_token': 'fake-hook-secret'}`",
     "fake-hook-secret", "`{'secret_token': '[redacted]'}`"),
])
def test_built_in_patterns_redact_the_secret_and_keep_the_rest_readable(text: str, secret: str, readable: str) -> None:
    redacted = SecretRedactor().redact(text)
    assert secret not in redacted
    assert readable in redacted


@pytest.mark.parametrize("text", [
    "GET http://127.0.0.1:8081/bot/getMe took 12:30:45.123456",
    "task-queue-worker-number-one started", "core.rendering.compositor.render: 1280x720",
    "http://127.0.0.1:8080/x?y=a@b", "token=None", "/webhooks/{webhook_id}/{webhook_token}/messages/@original",
])
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert SecretRedactor().redact(text) == text


def test_a_value_a_literal_already_redacted_is_not_redacted_again() -> None:
    text = "{'token': 'itoken-5566778899'} password=itoken-5566778899&user=alice"
    redacted = SecretRedactor(["itoken-5566778899"]).redact(text)
    assert redacted == "{'token': '[redacted]'} password=[redacted]&user=alice"


def test_short_and_empty_literals_are_ignored() -> None:
    redactor = SecretRedactor(["", "abc", "local"])
    assert redactor.redact("abc local value") == "abc local value"


def test_url_encoded_forms_of_a_literal_are_redacted_too() -> None:
    encoded = TELEGRAM_TOKEN.replace(":", "%3A")
    assert SecretRedactor([TELEGRAM_TOKEN]).redact(f"?t={encoded}&x=1") == f"?t={REDACTED}&x=1"


def test_long_blobs_are_scanned_in_linear_time() -> None:
    redactor = SecretRedactor([SECRET_KEY])
    started = time.monotonic()
    for blob in ("A" * 200_000, "a-" * 100_000, "1" * 200_000, "a." * 100_000, "x://" * 50_000):
        redactor.redact(blob)
    assert time.monotonic() - started < 5


class Unprintable:
    def __str__(self) -> str:
        raise RuntimeError("no text")

    __repr__ = __str__


def test_a_message_that_cannot_be_formatted_is_still_written_and_redacted(log: tuple[logging.Logger,
                                                                                    io.StringIO]) -> None:
    logger, stream = log
    logger.warning("%d items for %s", "not-a-number", SECRET_KEY)
    logger.warning("object %s", Unprintable())
    written = stream.getvalue()
    assert SECRET_KEY not in written and "--- Logging error ---" not in written
    assert "%d items for %s (log arguments ('not-a-number', '[redacted]') did not fit: TypeError)" in written
    assert "object %s (log arguments <unprintable> did not fit: RuntimeError)" in written


def test_a_failing_redaction_never_drops_the_record_nor_leaks_it(log: tuple[logging.Logger, io.StringIO],
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    logger, stream = log
    redactor = next(f for f in logger.handlers[0].filters if isinstance(f, SecretRedactor))

    def broken(text: str) -> str:
        raise RuntimeError("bug")

    monkeypatch.setattr(redactor, "redact", broken)
    logger.error("token %s", SECRET_KEY)
    written = stream.getvalue()
    assert written.startswith("ERROR ") and "message withheld: redaction failed: RuntimeError" in written
    assert SECRET_KEY not in written


# --------------------------------------------------------------------------------------- installing
@pytest.fixture
def root_stream() -> Iterator[io.StringIO]:
    """A handler on the root logger for one test; no redaction filter outlives the test."""
    stream, root = io.StringIO(), logging.getLogger()
    handler, level = logging.StreamHandler(stream), root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)
    for logger in [root, *logging.Logger.manager.loggerDict.values()]:
        for each in getattr(logger, "handlers", []):
            for redactor in [f for f in each.filters if isinstance(f, SecretRedactor)]:
                each.removeFilter(redactor)


def test_install_covers_records_propagated_from_any_logger_and_loggers_with_own_handlers(
        root_stream: io.StringIO) -> None:
    own_stream = io.StringIO()
    library = logging.getLogger(f"test.library.{uuid.uuid4().hex}")
    library.propagate = False
    library.addHandler(logging.StreamHandler(own_stream))
    install_redaction([SECRET_KEY])
    logging.getLogger("telegram.ext.test").debug("key %s", SECRET_KEY)
    library.warning("key %s", SECRET_KEY)
    assert root_stream.getvalue() == f"key {REDACTED}\n" and own_stream.getvalue() == f"key {REDACTED}\n"


def test_install_twice_adds_one_filter_that_knows_both_sets_of_secrets(root_stream: io.StringIO) -> None:
    first = install_redaction([SECRET_KEY])
    second = install_redaction([TELEGRAM_TOKEN])
    assert first is second
    handler = next(h for h in logging.getLogger().handlers if getattr(h, "stream", None) is root_stream)
    assert [f for f in handler.filters if isinstance(f, SecretRedactor)] == [first]
    logging.getLogger("routix.test").info("%s %s", SECRET_KEY, TELEGRAM_TOKEN)
    assert root_stream.getvalue() == f"{REDACTED} {REDACTED}\n"


# ------------------------------------------------------------------------------------------ secrets
class ProviderSettings(BaseSettings):
    """A concern that does not exist yet: its keys must be found by their names alone."""

    openai_api_key: str = ""
    stability_api_key: str = ""
    model_name: str = "not-a-secret-model"
    queue_url: str = ""  # not secret-bearing by name, but a URL's password is a secret anyway


def test_settings_secrets_finds_every_secret_bearing_value(tmp_path: Path) -> None:
    settings = Settings(
        app=AppSettings(routix_data_dir=tmp_path, secret_key=SECRET_KEY),
        database=DatabaseSettings(database_url="postgresql://routix:fake-db-pass@127.0.0.1:5432/routix"),
        telegram=TelegramSettings(bot_token=TELEGRAM_TOKEN, webhook_secret="fake-webhook-secret"),
        discord=DiscordSettings(bot_token=DISCORD_TOKEN),
    )
    settings.providers = ProviderSettings(openai_api_key="sk-fakeOpenKey0000000000",  # type: ignore[attr-defined]
                                          stability_api_key="fake-stability-key",
                                          queue_url="redis://:fake-queue-pass@127.0.0.1:6379/0")
    found = settings_secrets(settings)
    assert {SECRET_KEY, "fake-db-pass", "fake-queue-pass", TELEGRAM_TOKEN, "FAKE-telegram-token-for-tests_000",
            "fake-webhook-secret", DISCORD_TOKEN, "sk-fakeOpenKey0000000000", "fake-stability-key"} <= set(found)
    assert not any("127.0.0.1" in secret or "not-a-secret" in secret for secret in found)
    assert len(found) == len(set(found))


def test_settings_secrets_includes_the_webhook_secret_derived_from_secret_key(tmp_path: Path) -> None:
    from bots.telegram.main import webhook_secret

    settings = Settings(app=AppSettings(routix_data_dir=tmp_path, secret_key=SECRET_KEY),
                        telegram=TelegramSettings(bot_token=TELEGRAM_TOKEN))
    assert webhook_secret(settings) in settings_secrets(settings)
