"""Typed settings, one model per concern, read from the environment (and a .env file).

A wrong value is reported by name with what was expected (see `load_settings`), never as a traceback.
"""

from __future__ import annotations

import json
import re
import secrets
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from storage.engine import DRIVERS

PLACEHOLDER_SECRET = "change-me-to-a-long-random-string"
MIN_SECRET_LENGTH = 32
SECRET_BEARING = re.compile(r"TOKEN|SECRET|KEY|PASSWORD|AUTH|DATABASE_URL|JOBS_BACKEND")  # never repeated in errors


class SettingsError(Exception):
    """A configuration problem explained for the operator."""


def _config(prefix: str) -> SettingsConfigDict:
    return SettingsConfigDict(env_prefix=prefix, env_file=".env", extra="ignore")


def _http_url(value: str) -> str:
    """An http(s) URL with a host (and a numeric port, if any), or empty. A client handed anything else fails on
    its first request, with the URL (and the token in it) in the error."""
    if not value:
        return value
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises on a port that is not a number in range
    except ValueError:
        raise ValueError("not a URL with a valid host and port") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("use an http:// or https:// URL with a host, e.g. https://api.example.org/v1")
    return value


class AppSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    routix_env: Literal["development", "production"] = "development"
    secret_key: str = ""
    routix_data_dir: Path = Path("data")
    routix_admins: str = ""  # "telegram:123,discord:456,console:alice"
    routix_log_level: str = "INFO"

    @field_validator("routix_log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        if value.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            raise ValueError("one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return value.upper()

    @model_validator(mode="after")
    def _secret(self) -> AppSettings:
        weak = not self.secret_key or self.secret_key == PLACEHOLDER_SECRET or len(self.secret_key) < MIN_SECRET_LENGTH
        if weak and self.routix_env == "production":
            raise ValueError(
                f"SECRET_KEY must be set to at least {MIN_SECRET_LENGTH} random characters in production; "
                'generate one with: python -c "import secrets; print(secrets.token_urlsafe(48))"'
            )
        if weak:
            self.secret_key = secrets.token_urlsafe(48)  # development: a fresh secret per process
        return self

    @field_validator("routix_admins")
    @classmethod
    def _admins(cls, value: str) -> str:
        for item in filter(None, (part.strip() for part in value.split(","))):
            platform, _, user = item.partition(":")
            if platform not in {"telegram", "discord", "console"} or not user:
                raise ValueError(f"'{item}' is not platform:user_id (platform is telegram, discord or console)")
        return value

    @property
    def admins(self) -> frozenset[tuple[str, str]]:
        items = filter(None, (part.strip() for part in self.routix_admins.split(",")))
        return frozenset(tuple(item.split(":", 1)) for item in items)  # type: ignore[misc]


class DatabaseSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = ""  # default: SQLite file under ROUTIX_DATA_DIR
    database_echo: bool = False
    database_pool_size: int = Field(10, ge=1)  # PostgreSQL connections (and database threads) per process

    @field_validator("database_url")
    @classmethod
    def _database(cls, value: str) -> str:
        scheme, separator, rest = value.partition("://")
        if value and (not separator or not rest or scheme not in DRIVERS):  # never the value: it holds a password
            raise ValueError("not a supported database URL: use sqlite:///path/to/routix.db or "
                             "postgresql://user:password@host:5432/name")
        if value and scheme != "sqlite":
            try:
                urlsplit(value).port  # noqa: B018 - raises on a port that is not a number in range
            except ValueError:
                raise ValueError("its port is not a number from 1 to 65535") from None
        return value


class CreditSettings(BaseSettings):
    model_config = _config("CREDITS_")

    free_allowance: int = Field(10, ge=0)
    free_period: Literal["day", "week", "month"] = "month"
    pro_allowance: int = Field(200, ge=0)
    pro_period: Literal["day", "week", "month"] = "month"


class JobSettings(BaseSettings):
    model_config = _config("JOBS_")

    backend: str = "local"  # "local" (in-process, jobs in the database) or a Redis URL (worker processes)
    workers: int = Field(0, ge=0)  # render processes; 0: one per CPU core
    concurrency: int = Field(0, ge=0)  # jobs rendering at once; 0: twice the workers
    per_user: int = Field(3, ge=1)  # a person's unfinished jobs
    lease_seconds: float = Field(20.0, ge=1)  # a dead runner's jobs are resumed after this
    max_attempts: int = Field(3, ge=1)  # runs of one job before it is refunded instead
    max_age_minutes: int = Field(60, ge=1)  # an unfinished job older than this is refunded
    drain_seconds: float = Field(10.0, ge=0)  # on SIGTERM, running jobs get this long to finish
    recovery_seconds: float = Field(10.0, ge=0.1)  # how often unfinished jobs nobody holds are looked for
    timeout_seconds: float = Field(600.0, ge=1)  # making one job's pictures may take this long, then it is refunded
    worker_jobs: int = Field(500, ge=1)  # jobs one `routix worker` takes at once (waiting on providers is cheap)
    queue_name: str = "routix"

    @field_validator("backend")
    @classmethod
    def _backend(cls, value: str) -> str:
        if value != "local" and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("use 'local' or a Redis URL such as redis://127.0.0.1:6379/0")
        return value

    @property
    def on_redis(self) -> bool:
        return self.backend != "local"


class LimitSettings(BaseSettings):
    model_config = _config("LIMITS_")

    messages_per_second: float = Field(2.0, ge=0)  # one person's messages (and button presses) per second; 0: off
    message_burst: int = Field(8, ge=1)  # how many may come at once before the rate applies


class RenderSettings(BaseSettings):
    model_config = _config("RENDER_")

    watermark_text: str = "made with Routix"
    watermark_position: Literal["bottom-left", "top-left", "top-right"] = "bottom-left"
    max_bytes: int = Field(2_000_000, ge=50_000)  # YouTube's limit for custom thumbnails
    max_upload_bytes: int = Field(20_000_000, ge=1)  # largest reference photo accepted


class TelegramSettings(BaseSettings):
    model_config = _config("TELEGRAM_")

    bot_token: str = ""
    api_base_url: str = "https://api.telegram.org/bot"
    file_base_url: str = "https://api.telegram.org/file/bot"
    webhook_url: str = ""
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = Field(8443, ge=1, le=65535)
    webhook_secret: str = ""  # default: derived from SECRET_KEY
    max_bytes: int = Field(2_000_000, ge=50_000)
    flood_limits: bool = True  # Telegram's 30 messages/s and 20/min per group; off only for a Bot API without them
    upload_timeout_seconds: float = Field(20.0, gt=0)  # a picture's upload and Telegram's answer to it

    @field_validator("api_base_url", "file_base_url", "webhook_url")
    @classmethod
    def _urls(cls, value: str) -> str:
        return _http_url(value)


class DiscordSettings(BaseSettings):
    model_config = _config("DISCORD_")

    bot_token: str = ""
    api_base_url: str = "https://discord.com/api/v10"
    gateway_url: str = "wss://gateway.discord.gg/"
    guild_ids: str = ""  # comma-separated: sync commands to these servers instantly
    max_bytes: int = Field(2_000_000, ge=50_000)
    shard_count: int = Field(0, ge=0)  # 0: one connection, no sharding
    shard_ids: str = ""  # comma-separated shards this process runs (empty: all of shard_count)

    @field_validator("api_base_url")
    @classmethod
    def _url(cls, value: str) -> str:
        return _http_url(value)

    @field_validator("guild_ids", "shard_ids")
    @classmethod
    def _ids(cls, value: str) -> str:
        """Numbers separated by commas: checked at start, not when Discord is already connected."""
        if any(not part.strip().isascii() or not part.strip().isdigit() for part in value.split(",") if part.strip()):
            raise ValueError("expected numbers separated by commas, such as 123456789012345678,234567890123456789")
        return value

    @model_validator(mode="after")
    def _shards_of_a_count(self) -> DiscordSettings:
        if self.shard_ids.strip() and not self.shard_count:
            raise ValueError("DISCORD_SHARD_IDS needs DISCORD_SHARD_COUNT: the shards are numbered within it")
        if any(shard >= self.shard_count for shard in self.shards or ()):
            raise ValueError(f"DISCORD_SHARD_IDS: every shard is below DISCORD_SHARD_COUNT ({self.shard_count})")
        return self

    @property
    def shards(self) -> list[int] | None:
        return [int(part) for part in self.shard_ids.replace(" ", "").split(",") if part] or None


DEFAULT_PRICES = {  # USD per picture: estimates of the published list prices; set AI_PRICES from your own bill
    "openai:gpt-image-1-mini:low": 0.006, "openai:gpt-image-1-mini:medium": 0.015,
    "openai:gpt-image-1-mini:high": 0.052,
    "openai:gpt-image-1.5:low": 0.013, "openai:gpt-image-1.5:medium": 0.05, "openai:gpt-image-1.5:high": 0.2,
    "openai:gpt-image-2:low": 0.012, "openai:gpt-image-2:medium": 0.045, "openai:gpt-image-2:high": 0.18,
    "openai:dall-e-3:standard": 0.08, "openai:dall-e-3:hd": 0.12,
    "stability:core": 0.03, "stability:ultra": 0.08, "stability:sd3.5-large": 0.065, "stability:sd3.5-medium": 0.035,
    "stability:sd3.5-large-turbo": 0.04, "stability:remove-background": 0.02, "sdwebui": 0.0,
}
ALGORITHM_SPEC = re.compile(r"^(openai|stability|sdwebui):[\w.\-]+(:[\w\-]+)?$")


class AISettings(BaseSettings):
    """The paid algorithms' providers, the language model that reads requests, moderation, and prices."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    openai_api_key: str = ""
    openai_base_url: str = "https://api.openai.com/v1"
    openai_concurrency: int = Field(16, ge=1)  # calls at once; its HTTP pool is never smaller
    stability_api_key: str = ""
    stability_api_base_url: str = "https://api.stability.ai"
    stability_concurrency: int = Field(10, ge=1)
    sdwebui_base_url: str = ""  # e.g. http://gpu-box:7860 (started with --api)
    sdwebui_auth: str = ""  # user:password, when the web UI runs with --api-auth
    sdwebui_concurrency: int = Field(1, ge=1)  # one GPU draws one picture at a time
    # Each paid algorithm: provider:model[:quality]. Models: the GPT image models or dall-e-3; Stability's core,
    # ultra or an sd3.5 model; a web UI checkpoint name (or "default" for the one loaded).
    algorithm_basic: str = "openai:gpt-image-1-mini:medium"
    algorithm_premium: str = "openai:gpt-image-2:high"
    algorithm_pro: str = "stability:ultra"
    ai_timeout_seconds: float = Field(120.0, gt=0)  # one call
    ai_deadline_seconds: float = Field(300.0, gt=0)  # one picture, retries included
    ai_previews: int = Field(2, ge=0, le=3)  # partial pictures to ask for while a model draws (0: none)
    ai_download_max_bytes: int = Field(25_000_000, ge=1_000_000)  # a picture answered by URL
    ai_prices: str = ""  # JSON object merged over the defaults, e.g. {"openai:gpt-image-2:high": 0.17}
    analysis_base_url: str = ""  # an OpenAI-compatible chat endpoint; empty: keyword analysis only
    analysis_model: str = "gpt-5-mini"
    analysis_api_key: str = ""  # empty: OPENAI_API_KEY
    analysis_timeout_seconds: float = Field(10.0, gt=0)
    analysis_for: Literal["paid", "all"] = "paid"  # which requests the model reads
    moderation_model: str = "omni-moderation-latest"  # OpenAI's moderation, used whenever OPENAI_API_KEY is set
    moderation_blocked_words: str = ""  # comma-separated, added to the built-in list

    @field_validator("openai_base_url", "stability_api_base_url", "sdwebui_base_url", "analysis_base_url")
    @classmethod
    def _urls(cls, value: str) -> str:
        return _http_url(value)

    @field_validator("algorithm_basic", "algorithm_premium", "algorithm_pro")
    @classmethod
    def _algorithm(cls, value: str) -> str:
        if not ALGORITHM_SPEC.match(value):
            raise ValueError("use provider:model[:quality] with provider openai, stability or sdwebui, "
                             "e.g. openai:gpt-image-2:high or stability:ultra")
        return value

    @field_validator("ai_prices")
    @classmethod
    def _prices(cls, value: str) -> str:
        if value:
            try:
                prices = json.loads(value)
            except ValueError as error:
                raise ValueError(f"not JSON: {error}") from None
            if not isinstance(prices, dict) or not all(isinstance(v, int | float) for v in prices.values()):
                raise ValueError('a JSON object of "provider:model[:quality]": USD per picture')
        return value

    @property
    def prices(self) -> dict[str, float]:
        return {**DEFAULT_PRICES, **(json.loads(self.ai_prices) if self.ai_prices else {})}

    @property
    def algorithms(self) -> dict[str, str]:
        return {"basic": self.algorithm_basic, "premium": self.algorithm_premium, "pro": self.algorithm_pro}

    @property
    def blocked_words(self) -> tuple[str, ...]:
        return tuple(word.strip() for word in self.moderation_blocked_words.split(",") if word.strip())


S3_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]$")


class StorageSettings(BaseSettings):
    """Where pictures are kept: files under ROUTIX_DATA_DIR (local), or an S3-compatible bucket (s3)."""

    model_config = _config("STORAGE_")

    backend: Literal["local", "s3"] = "local"
    s3_bucket: str = ""
    s3_prefix: str = ""  # keys become PREFIX/<sha256>.<suffix>
    s3_region: str = ""  # empty: boto3's default (AWS_REGION, ~/.aws/config, us-east-1)
    s3_endpoint_url: str = ""  # MinIO, R2, ...; empty: AWS
    s3_path_style: bool = False  # the bucket in the URL path (MinIO) instead of the host name
    s3_access_key_id: str = ""  # both empty: boto3's default credential chain (environment, profile, role)
    s3_secret_access_key: str = ""
    s3_connect_timeout_seconds: float = Field(3.0, gt=0)
    s3_read_timeout_seconds: float = Field(10.0, gt=0)
    s3_max_attempts: int = Field(2, ge=1)  # tries of one call, the first included
    s3_concurrency: int = Field(16, ge=1)  # S3 calls at once per process (threads and connections)
    sync_seconds: float = Field(300.0, ge=0)  # how often a running bot or worker uploads the spool; 0: never
    originals_retention_days: int = Field(30, ge=1)  # free-tier lossless originals are kept this long
    share_base_url: str = ""  # public URL of `routix serve` (local store): /history then offers signed links
    share_ttl_hours: float = Field(168.0, gt=0, le=168.0)  # how long a share link works (S3 allows a week)
    share_listen: str = "127.0.0.1"  # where `routix serve` listens (put a TLS proxy in front)
    share_port: int = Field(8088, ge=1, le=65535)

    @field_validator("s3_bucket")
    @classmethod
    def _bucket(cls, value: str) -> str:
        if value and not S3_BUCKET.match(value):
            raise ValueError("not a bucket name: 3-63 lowercase letters, digits, dots and hyphens")
        return value

    @field_validator("share_base_url", "s3_endpoint_url")
    @classmethod
    def _urls(cls, value: str) -> str:
        return _http_url(value)

    @model_validator(mode="after")
    def _s3(self) -> StorageSettings:
        if self.backend == "s3" and not self.s3_bucket:
            raise ValueError("STORAGE_S3_BUCKET must be set when STORAGE_BACKEND=s3")
        if bool(self.s3_access_key_id) != bool(self.s3_secret_access_key):
            raise ValueError("STORAGE_S3_ACCESS_KEY_ID and STORAGE_S3_SECRET_ACCESS_KEY go together: set both, or "
                             "neither for boto3's default credentials")
        return self


class Settings:
    """All settings together; each concern validated on its own so errors name their variable."""

    def __init__(self, **models: BaseSettings) -> None:
        self.app: AppSettings = models.get("app") or AppSettings()  # type: ignore[assignment]
        self.database: DatabaseSettings = models.get("database") or DatabaseSettings()  # type: ignore[assignment]
        self.credits: CreditSettings = models.get("credits") or CreditSettings()  # type: ignore[assignment]
        self.jobs: JobSettings = models.get("jobs") or JobSettings()  # type: ignore[assignment]
        self.render: RenderSettings = models.get("render") or RenderSettings()  # type: ignore[assignment]
        self.limits: LimitSettings = models.get("limits") or LimitSettings()  # type: ignore[assignment]
        self.telegram: TelegramSettings = models.get("telegram") or TelegramSettings()  # type: ignore[assignment]
        self.discord: DiscordSettings = models.get("discord") or DiscordSettings()  # type: ignore[assignment]
        self.ai: AISettings = models.get("ai") or AISettings()  # type: ignore[assignment]
        self.storage: StorageSettings = models.get("storage") or StorageSettings()  # type: ignore[assignment]

    @property
    def database_url(self) -> str:
        if self.database.database_url:
            return self.database.database_url
        return f"sqlite:///{self.app.routix_data_dir / 'routix.db'}"


def _explain(error: ValidationError, prefix: str) -> str:
    lines = []
    for item in error.errors():
        message = item["msg"].removeprefix("Value error, ")
        if not item["loc"]:  # a whole-model rule (the secret): its message names the variable
            lines.append(message)
            continue
        name = (prefix + "_".join(str(part) for part in item["loc"])).upper()
        value = item.get("input")
        shown = "" if SECRET_BEARING.search(name) or _holds_credentials(value) else f" (got {value!r})"
        lines.append(f"{name}: {message}{shown}")
    return "\n".join(lines)


def _holds_credentials(value: object) -> bool:
    """A URL with a user or password in it (`https://user:key@host`): never echoed, whatever its setting's name."""
    return isinstance(value, str) and "@" in value and "://" in value


def load_settings() -> Settings:
    """Read every concern; raise SettingsError naming each bad variable."""
    problems: list[str] = []
    models: dict[str, BaseSettings] = {}
    concerns = {
        "app": AppSettings, "database": DatabaseSettings, "credits": CreditSettings, "jobs": JobSettings,
        "render": RenderSettings, "limits": LimitSettings, "telegram": TelegramSettings, "discord": DiscordSettings,
        "ai": AISettings, "storage": StorageSettings,
    }
    for key, model in concerns.items():
        try:
            models[key] = model()
        except ValidationError as error:
            problems.append(_explain(error, model.model_config.get("env_prefix", "")))
    if problems:
        raise SettingsError("Invalid configuration:\n" + "\n".join(problems))
    return Settings(**models)
