"""Secrets never reach a log: a filter on every handler redacts tokens, keys and passwords from each record.

Libraries log URLs, headers and payloads at DEBUG (the Telegram token is part of every Bot API URL; Discord
interaction tokens are part of webhook routes and gateway events), so redaction works on the rendered text, whoever
logged it. `install_redaction` attaches the filter to handlers that exist when it runs: call it after logging is
configured (and again after adding handlers; it is idempotent).
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, urlsplit

from pydantic_settings import BaseSettings

from bots.settings import SECRET_BEARING, Settings

REDACTED = "[redacted]"
MIN_SECRET_LENGTH = 8  # shorter literals would redact ordinary words
SECRET = "secret"  # the group each pattern redacts; the rest of the match stays readable
_KEY_NAME = r"(?:token|secret|password|passwd|(?:api|secret|access)[_-]?key)"  # a name's end: bot_token, X-Secret
_DONE = re.escape(REDACTED)  # a value a literal secret already replaced
_RUN = "(?<![A-Za-z0-9_-])"  # start only where a run of token characters starts: linear time on long blobs

PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"(?<!\d)(?P<secret>\d{5,}:[A-Za-z0-9_-]{20,})"),  # Telegram bot token (often after "/bot")
    re.compile(rf"{_RUN}(?P<secret>[A-Za-z0-9_-]{{20,}}\.[A-Za-z0-9_-]{{6,}}\.[A-Za-z0-9_-]{{20,}})"),  # Discord, JWT
    re.compile(r"/webhooks/\d+/(?P<secret>[A-Za-z0-9_.-]+)"),  # Discord webhook and interaction follow-ups
    re.compile(r"/interactions/\d+/(?P<secret>[A-Za-z0-9_.-]+)/callback"),
    re.compile(r"Authorization[\"']?\s*[:=]\s*[\"']?(?:Bot|Bearer|Basic)\s+(?P<secret>[^\s\"',;]+)", re.IGNORECASE),
    re.compile(rf"{_RUN}(?P<secret>sk-[A-Za-z0-9_-]{{16,}})"),  # OpenAI-style API keys
    re.compile(r"(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]*://[^\s:/@]*:(?P<secret>[^\s@/]+)@"),  # URL password
    # 'token': 'x', "api_key": "x", secret_token=x: payloads and query strings (e.g. Discord gateway events)
    re.compile(rf"(?i:{_KEY_NAME}[\"']?\s*[:=]\s*[\"']?)(?!{_DONE})(?P<secret>[^\s\"',;&)}}\]]{{8,}})"),
)

_TRACEBACKS = logging.Formatter()  # formats exc_info as every standard formatter would


class SecretRedactor(logging.Filter):
    """Replaces known secret strings and secret-shaped text in a record's message, traceback and stack."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._secrets: set[str] = set()
        self._literals: re.Pattern[str] | None = None
        self.add_secrets(secrets)

    def add_secrets(self, secrets: Iterable[str]) -> None:
        """Also redact these literal strings (and their URL-encoded forms); short or empty ones are ignored."""
        found = {secret for secret in secrets if isinstance(secret, str) and len(secret) >= MIN_SECRET_LENGTH}
        found |= {quote(secret, safe="") for secret in found}
        with self._lock:
            self._secrets |= found
            longest_first = sorted(self._secrets, key=len, reverse=True)  # a whole token before a part of it
            self._literals = re.compile("|".join(map(re.escape, longest_first))) if longest_first else None

    def redact(self, text: str) -> str:
        if self._literals is not None:
            text = self._literals.sub(REDACTED, text)
        for pattern in PATTERNS:
            text = pattern.sub(_mask, text)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            self._redact_record(record)
        except Exception as error:  # never lose the line, and never emit what could not be checked
            record.msg, record.args = f"{REDACTED} (message withheld: redaction failed: {type(error).__name__})", None
            record.exc_info, record.exc_text, record.stack_info = None, None, None
        return True

    def _redact_record(self, record: logging.LogRecord) -> None:
        record.msg, record.args = self.redact(_render(record)), None
        if record.exc_info and not record.exc_text:
            record.exc_text = _TRACEBACKS.formatException(record.exc_info)  # formatters use exc_text when set
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)


def _mask(match: re.Match[str]) -> str:
    """The match with only its secret group replaced (an already redacted value is left as it is)."""
    whole, offset = match.group(0), match.start()
    start, end = (position - offset for position in match.span(SECRET))
    return whole if whole[start:end] == REDACTED else whole[:start] + REDACTED + whole[end:]


def _render(record: logging.LogRecord) -> str:
    """The message as a handler would print it; a broken format call still yields something to redact."""
    try:
        return record.getMessage()
    except Exception as error:  # e.g. "%d" given a string: logging would print msg and args in a traceback
        return f"{_text(record.msg)} (log arguments {_text(record.args, repr)} did not fit: {type(error).__name__})"


def _text(value: Any, show: Any = str) -> str:
    try:
        return str(show(value))
    except Exception:  # an object whose __str__/__repr__ fails
        return "<unprintable>"


def install_redaction(secrets: Iterable[str]) -> SecretRedactor:
    """Redact on every handler of the root logger (which sees all propagated records) and of every logger that has
    its own handlers. Calling it again adds the new secrets to the installed filter and covers new handlers."""
    handlers = _all_handlers()
    redactor = next((f for h in handlers for f in h.filters if isinstance(f, SecretRedactor)), None)
    if redactor is None:
        redactor = SecretRedactor(secrets)
    else:
        redactor.add_secrets(secrets)
    for handler in handlers:
        handler.addFilter(redactor)  # Filterer.addFilter ignores a filter it already has
    return redactor


def _all_handlers() -> list[logging.Handler]:
    loggers = [logging.getLogger()]
    loggers += [item for item in list(logging.Logger.manager.loggerDict.values()) if isinstance(item, logging.Logger)]
    return list({id(handler): handler for logger in loggers for handler in logger.handlers}.values())


def settings_secrets(settings: Settings) -> list[str]:
    """Every secret value in the settings: each field whose variable name is secret-bearing (SECRET_BEARING: TOKEN,
    SECRET, KEY, PASSWORD, ...) in any concern, so a new provider key is covered once it is a setting; the password
    of any URL setting; and secrets derived from them."""
    found: list[str] = []
    for model in vars(settings).values():
        if isinstance(model, BaseSettings):
            found += _model_secrets(model)
    found += _derived_secrets(settings)
    return list(dict.fromkeys(secret for secret in found if secret))


def _model_secrets(model: BaseSettings) -> list[str]:
    prefix = str(model.model_config.get("env_prefix") or "")
    found: list[str] = []
    for name in type(model).model_fields:
        value = _plain(getattr(model, name))
        if SECRET_BEARING.search((prefix + name).upper()):
            found += _secret_parts(value)
        else:  # any URL setting (a queue, a cache) may carry a password
            found += _url_password(value)
    return found


def _plain(value: Any) -> str:
    if hasattr(value, "get_secret_value"):  # pydantic SecretStr
        value = value.get_secret_value()
    return value if isinstance(value, str) else ""


def _secret_parts(value: str) -> list[str]:
    """The secret in a value: a URL's password (its host and path are not secret), else the value itself; for a
    Telegram-shaped token also the part after the colon (the bot id before it is public)."""
    if "://" in value:
        return _url_password(value)
    bot_id, colon, tail = value.partition(":")
    return [value, tail] if colon and bot_id.isdigit() else [value]


def _url_password(value: str) -> list[str]:
    try:
        password = urlsplit(value).password if "://" in value else None
    except ValueError:  # not a URL after all
        return []
    return [password] if password else []


def _derived_secrets(settings: Settings) -> list[str]:
    """Secrets computed from settings rather than set: the Telegram webhook secret derived from SECRET_KEY."""
    try:
        if not settings.telegram.bot_token:  # Telegram is not in use: no need to import it
            return []
        from bots.telegram.main import webhook_secret

        return [webhook_secret(settings)]
    except (ImportError, AttributeError):  # moved or renamed: the settings' own secrets still apply
        return []
