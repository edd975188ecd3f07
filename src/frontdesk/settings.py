"""Frontdesk's configuration: one validated object, read from the environment (prefix FRONTDESK_) and `.env`.

This is the only module that reads the environment. Outside `FRONTDESK_ENV=dev` a secret that is empty
or still has its development default stops the process, naming the variable.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Self

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from frontdesk.domain.errors import ConfigurationError

_DEV_SECRETS = {
    "secret_key": "dev-secret-key-change-me",
    "whatsapp_verify_token": "dev-verify-token",
    "whatsapp_app_secret": "dev-app-secret",
    "whatsapp_access_token": "dev-access-token",
}


# Where AWS's SNS serves its signing certificates and confirms subscriptions: https on
# sns.<region>.amazonaws.com (or the China partition's amazonaws.com.cn), nothing else. Matched whole.
# The region is pinned to its shape (`eu-west-1`, `us-gov-west-1`, `cn-north-1`) and the path to what SNS
# serves there (`/SimpleNotificationService-<32 hex>.pem`, `/?Action=ConfirmSubscription&…`): a looser host
# part such as `[a-z0-9-]+` also takes S3's `sns.s3.amazonaws.com` / `sns.s3-us-west-2.amazonaws.com`,
# where anyone owning a bucket named `sns` can serve a certificate of their own. ASCII digits only
# ([0-9], not \d, which takes any Unicode digit).
SNS_HOST_REGEX = r"https://sns\.[a-z]{2}(-[a-z]+)+-[0-9]+\.amazonaws\.com(\.cn)?"
SNS_CERT_URL_REGEX = SNS_HOST_REGEX + r"/SimpleNotificationService-[0-9a-f]{32}\.pem"
SNS_SUBSCRIBE_URL_REGEX = SNS_HOST_REGEX + r"/\?Action=ConfirmSubscription&[^\s\\#]*"


# The shortest FRONTDESK_BRIDGE_WEBHOOK_TOKEN accepted outside dev (e.g. `openssl rand -hex 32`).
BRIDGE_TOKEN_MIN_CHARS = 32

# The lease (FRONTDESK_JOB_LEASE_SECONDS) is at least this many Graph timeouts: one for the call, the rest
# for committing its outcome when the process or the database is busy.
LEASE_MARGIN = 2

# FRONTDESK_S3_BUCKET: S3's rule for new buckets (3-63 of a-z, 0-9, '-', '.'; a letter or digit at each
# end; no '..'; not shaped like an IP address). FRONTDESK_S3_PREFIX: segments as file keys have them.
_S3_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_IPV4 = re.compile(r"[0-9]{1,3}(\.[0-9]{1,3}){3}")
_S3_PREFIX_SEGMENT = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}")


class Environment(StrEnum):
    DEV = "dev"
    TEST = "test"
    PROD = "prod"


class TraceIdFormat(StrEnum):
    """How trace ids are made when traces are exported (`OTEL_EXPORTER_OTLP_ENDPOINT`)."""

    W3C = "w3c"
    """128 random bits (OpenTelemetry's default)."""
    XRAY = "xray"
    """The first 32 bits the start time, as AWS X-Ray requires of the ids it accepts."""


class Settings(BaseSettings):
    """Every setting Frontdesk reads. Field `x` is the variable `FRONTDESK_X`."""

    model_config = SettingsConfigDict(env_prefix="FRONTDESK_", env_file=".env", extra="ignore")

    env: Environment = Environment.DEV
    database_url: str = "sqlite+aiosqlite:///./frontdesk.db"
    secret_key: SecretStr = SecretStr(_DEV_SECRETS["secret_key"])
    log_level: str = "INFO"
    log_json: bool = True
    # Traces are exported when the standard OTEL_* variables say where (see docs/observability.md).
    trace_id_format: TraceIdFormat = TraceIdFormat.W3C

    # Staff sign-in (see docs/admin-api.md). Access tokens are short-lived; refresh tokens rotate.
    access_token_ttl_seconds: Annotated[int, Field(ge=1, le=86_400)] = 900
    refresh_token_ttl_seconds: Annotated[int, Field(ge=60)] = 14 * 86_400
    login_max_failures: Annotated[int, Field(ge=1, le=100)] = 5
    login_lockout_seconds: Annotated[int, Field(ge=1)] = 900
    # Rate limits in the `limits` notation ("10/minute", "5 per 10 seconds"). Counted in process memory,
    # so each process counts on its own, unless `redis_url` names a Redis server (`redis://` or
    # `rediss://`): then every process using it shares one count (api/security.py). That Redis is also
    # the bus between processes (pub/sub wake-ups, live events, cache drops: wiring/bus.py); without it,
    # PostgreSQL's LISTEN/NOTIFY is, and on SQLite the bus stays in the process.
    login_rate_limit: str = "10/minute"
    api_rate_limit: str = "600/minute"
    redis_url: SecretStr | None = None
    # Origins (comma-separated) allowed to call the API from a browser; empty, CORS stays closed.
    cors_origins: Annotated[list[str], NoDecode] = []
    # The session cookies' Secure flag: turn it off only for a dev host reached over plain http.
    cookie_secure: bool = True

    # Keys that encrypt secrets stored in the database (channel tokens): comma-separated Fernet keys
    # (`frontdesk secrets new-key`); the first encrypts, every one decrypts, so a new key goes first and
    # the old one stays until `frontdesk secrets rotate` has run. Required outside dev; in dev, unset,
    # a key derived from the secret key is used.
    encryption_keys: Annotated[list[SecretStr], NoDecode] = []

    whatsapp_verify_token: SecretStr = SecretStr(_DEV_SECRETS["whatsapp_verify_token"])
    whatsapp_app_secret: SecretStr = SecretStr(_DEV_SECRETS["whatsapp_app_secret"])
    whatsapp_access_token: SecretStr = SecretStr(_DEV_SECRETS["whatsapp_access_token"])
    whatsapp_phone_number_id: str | None = None
    whatsapp_graph_url: str = "https://graph.facebook.com"
    whatsapp_api_version: Annotated[str, Field(pattern=r"^v\d+\.\d+$")] = "v21.0"
    whatsapp_timeout_seconds: Annotated[float, Field(gt=0, le=120)] = 10.0

    max_body_bytes: Annotated[int, Field(ge=1024)] = 1024 * 1024

    # The WhatsApp-Web bridge, zapw (docs/channels/wa-bridge.md); no URL: no bridge numbers. The key goes
    # to zapw as `Authorization: Bearer`. zapw cannot sign its webhooks, so it posts them to
    # `/webhooks/bridge?token=<webhook token>`: outside dev, with a bridge, a token of at least
    # BRIDGE_TOKEN_MIN_CHARS is required. Sends to one customer on one number are spaced by the interval
    # (bursts get a number banned); it must stay under half the send timeout, which also bounds the wait.
    bridge_url: Annotated[str | None, Field(pattern=r"^https?://[^\s?#]+$")] = None
    bridge_api_key: SecretStr | None = None
    bridge_webhook_token: SecretStr | None = None
    bridge_send_interval_seconds: Annotated[float, Field(ge=0, le=60)] = 1.0

    # AWS End User Messaging Social (docs/channels/aws-social.md). `POST /webhooks/aws` takes SNS
    # notifications only from these topics (comma-separated ARNs; empty: it refuses every one), signed
    # with a certificate fetched only from a URL matching the certificate pattern; a subscription is
    # confirmed only through a URL matching the subscribe pattern. Sends use FRONTDESK_WHATSAPP_API_VERSION
    # as Meta's API version; credentials and the default region come from boto3's usual chain.
    aws_sns_topic_arns: Annotated[list[str], NoDecode] = []
    aws_sns_cert_url_regex: str = SNS_CERT_URL_REGEX
    aws_sns_subscribe_url_regex: str = SNS_SUBSCRIBE_URL_REGEX
    # The S3 bucket GetWhatsAppMessageMedia copies received media into (Frontdesk reads each file back,
    # then deletes it there); unset, media of AWS numbers cannot be fetched.
    aws_media_bucket: Annotated[str | None, Field(pattern=r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")] = None

    # Operations. The base URL Meta reaches this server at (shown as each channel's webhook URL); unset,
    # the admin API uses the URL of the request that asked.
    public_url: Annotated[str | None, Field(pattern=r"^https?://[^\s/?#]+(/[^\s?#]*)?$")] = None
    # When set, `/metrics` asks for `Authorization: Bearer <token>`; unset, it is open (keep it internal).
    metrics_token: SecretStr | None = None
    # With no worker in this process, /readyz fails once a due turn has waited this long unclaimed.
    readyz_stall_seconds: Annotated[float, Field(gt=0)] = 120.0
    # Live events (`WS /api/v1/ws`): how long they are kept for clients that reconnect with `since`
    # (older ones are pruned hourly by the workers), and how often each process looks for new ones
    # without being told (the bus tells it at once when another process wrote one).
    live_retention_hours: Annotated[float, Field(gt=0, le=24 * 90)] = 24.0
    live_poll_seconds: Annotated[float, Field(gt=0, le=10)] = 0.25
    # How often each process re-checks the sessions behind its open sockets: a session ended (logout,
    # member disabled, role lowered) by another process closes its sockets here within this time.
    live_session_check_seconds: Annotated[float, Field(gt=0, le=300)] = 5.0
    kb_max_bytes: Annotated[int, Field(ge=1024)] = 10 * 1024 * 1024
    # A business pack's files together, uncompressed (a zip is checked against it while inflating).
    pack_max_bytes: Annotated[int, Field(ge=1024)] = 50 * 1024 * 1024
    # Received media (docs/media.md): the folder files are kept in (unset: `frontdesk-files` beside the
    # SQLite database, or in the working directory with PostgreSQL), and the largest file fetched from a
    # channel (16 MiB, Meta's limit for audio and video; a larger one is recorded on its message as too
    # large). A file is held in memory while it is fetched and stored, hence the upper bound.
    files_dir: Path | None = None
    # Object storage instead of the folder (docs/media.md): set `s3_bucket` and every file (media,
    # knowledge-base originals) goes to that S3-compatible bucket, under `s3_prefix` when set. The region
    # is `s3_region`, else boto3's own (AWS_REGION / AWS_DEFAULT_REGION); the endpoint is boto3's too
    # (AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL, e.g. MinIO), and credentials come from its default chain.
    s3_bucket: str | None = None
    s3_prefix: str = ""
    s3_region: str | None = None
    media_max_bytes: Annotated[int, Field(ge=1024, le=100 * 1024 * 1024)] = 16 * 1024 * 1024
    workers: Annotated[int, Field(ge=1, le=256)] = 4
    job_max_attempts: Annotated[int, Field(ge=1, le=100)] = 5
    job_lease_seconds: Annotated[float, Field(gt=0)] = 60.0
    retry_base_seconds: Annotated[float, Field(gt=0)] = 2.0
    retry_max_seconds: Annotated[float, Field(gt=0)] = 300.0
    poll_interval_seconds: Annotated[float, Field(gt=0, le=10)] = 0.5
    send_max_attempts: Annotated[int, Field(ge=1, le=100)] = 8
    # Who answers customers: the agent team (`team`), or a `package.module:factory` (tests, custom bots).
    responder: Annotated[str, Field(pattern=r"^(team|[\w.]+:\w+)$")] = "team"
    team_file: Path | None = None
    """The team YAML; unset, the demo business's team that ships in the package."""

    # LLM providers for the agents' model chains (a provider without credentials is skipped).
    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None
    openai_compatible_api_key: SecretStr | None = None
    anthropic_api_key: SecretStr | None = None
    anthropic_base_url: str | None = None
    gemini_api_key: SecretStr | None = None
    gemini_base_url: str | None = None
    bedrock_region: str | None = None
    bedrock_base_url: str | None = None
    bedrock_access_key_id: SecretStr | None = None
    bedrock_secret_access_key: SecretStr | None = None
    llm_timeout_seconds: Annotated[float, Field(gt=0, le=300)] = 20.0
    llm_max_retries: Annotated[int, Field(ge=0, le=10)] = 0
    llm_max_tokens: Annotated[int, Field(ge=16, le=32_000)] = 1024
    demo_seed: bool = True
    demo_data_dir: Path | None = None

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip().rstrip("/") for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("aws_sns_topic_arns", mode="before")
    @classmethod
    def _split_topics(cls, value: object) -> object:
        if isinstance(value, str):
            return [arn.strip() for arn in value.split(",") if arn.strip()]
        return value

    @field_validator("aws_sns_cert_url_regex", "aws_sns_subscribe_url_regex")
    @classmethod
    def _url_pattern(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a regular expression ({exc})") from None
        return value

    @field_validator("encryption_keys", mode="before")
    @classmethod
    def _split_keys(cls, value: object) -> object:
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        if isinstance(value, str):
            return [key.strip() for key in value.split(",") if key.strip()]
        return value

    @field_validator("encryption_keys")
    @classmethod
    def _fernet_keys(cls, keys: list[SecretStr]) -> list[SecretStr]:
        for position, key in enumerate(keys, start=1):
            try:
                raw = base64.urlsafe_b64decode(key.get_secret_value().encode())
            except (binascii.Error, ValueError):
                raw = b""
            if len(raw) != 32:  # never echo the value: it is a secret
                raise ValueError(
                    f"key {position} is not a Fernet key (32 url-safe base64 bytes); "
                    "make one with `frontdesk secrets new-key`"
                )
        return keys

    @field_validator("login_rate_limit", "api_rate_limit")
    @classmethod
    def _rate_limit(cls, value: str) -> str:
        from limits import parse_many

        try:
            parse_many(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a rate limit like '10/minute'") from None
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        url = value.get_secret_value()
        # Never echo the URL: it may carry the password.
        if not re.fullmatch(r"rediss?://[^\s/?#]+(/\d*)?(\?\S*)?", url):
            raise ValueError(
                "not a Redis URL; expected redis://[user:password@]host[:port][/db] (or rediss:// for TLS)"
            )
        return value

    @field_validator("s3_bucket")
    @classmethod
    def _s3_bucket(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not _S3_BUCKET.fullmatch(value) or ".." in value or _IPV4.fullmatch(value):
            raise ValueError(
                f"{value[:80]!r} is not an S3 bucket name: 3 to 63 lowercase letters, digits, '-' and '.', "
                "starting and ending with a letter or digit, no '..', not an IP address"
            )
        return value

    @field_validator("s3_prefix")
    @classmethod
    def _s3_prefix(cls, value: str) -> str:
        prefix = value.strip("/")
        if prefix and not all(_S3_PREFIX_SEGMENT.fullmatch(part) for part in prefix.split("/")):
            raise ValueError(
                f"{value[:80]!r} is not a key prefix: '/'-separated segments of letters, digits, '_', '-' "
                "and '.', none starting with '.'"
            )
        return prefix

    @field_validator("s3_region")
    @classmethod
    def _s3_region(cls, value: str | None) -> str | None:
        # Loose on purpose: S3-compatible stores name theirs freely (Cloudflare R2: `auto`, MinIO: any).
        if value and not re.fullmatch(r"[a-z0-9-]{1,32}", value):
            raise ValueError(f"{value[:80]!r} is not a region like 'eu-west-1' (or R2's 'auto')")
        return value or None

    @model_validator(mode="after")
    def _lease_outlasts_a_send(self) -> Self:
        # A reply's lease must cover the whole Graph call (bounded by the timeout) and the wait to commit
        # its outcome; a lease that runs out mid-send lets another attempt send the reply again.
        least = LEASE_MARGIN * self.whatsapp_timeout_seconds
        if self.job_lease_seconds < least:
            raise ValueError(
                f"FRONTDESK_JOB_LEASE_SECONDS ({self.job_lease_seconds:g}) must be at least "
                f"{LEASE_MARGIN}x FRONTDESK_WHATSAPP_TIMEOUT_SECONDS ({self.whatsapp_timeout_seconds:g}), "
                f"i.e. {least:g}: a send that outlives its lease is sent again"
            )
        return self

    @field_validator("bridge_url")
    @classmethod
    def _no_trailing_slash(cls, value: str | None) -> str | None:
        return value.rstrip("/") if value else None

    @model_validator(mode="after")
    def _bridge_pacing_within_a_send(self) -> Self:
        # The pause before a paced send runs inside the send's time limit; a pause that used it up would
        # count as a send that may have gone out. Without a bridge nothing is paced.
        if self.bridge_url is None:
            return self
        if self.bridge_send_interval_seconds * 2 > self.whatsapp_timeout_seconds:
            raise ValueError(
                f"FRONTDESK_BRIDGE_SEND_INTERVAL_SECONDS ({self.bridge_send_interval_seconds:g}) must be at "
                f"most half of FRONTDESK_WHATSAPP_TIMEOUT_SECONDS ({self.whatsapp_timeout_seconds:g})"
            )
        return self

    @model_validator(mode="after")
    def _bridge_webhook_token(self) -> Self:
        # zapw's webhooks carry no signature: the token in their URL is all that tells them from a forgery.
        if self.env is Environment.DEV or self.bridge_url is None:
            return self
        token = self.bridge_webhook_token.get_secret_value() if self.bridge_webhook_token else ""
        if len(token) < BRIDGE_TOKEN_MIN_CHARS:
            state = "is not set" if not token else f"is shorter than {BRIDGE_TOKEN_MIN_CHARS} characters"
            raise ValueError(
                f"FRONTDESK_BRIDGE_WEBHOOK_TOKEN {state}; with FRONTDESK_BRIDGE_URL set it must be a "
                f"random secret of at least {BRIDGE_TOKEN_MIN_CHARS} characters (FRONTDESK_ENV={self.env})"
            )
        return self

    @model_validator(mode="after")
    def _no_placeholder_secrets(self) -> Self:
        if self.env is Environment.DEV:
            return self
        for name, default in _DEV_SECRETS.items():
            value = getattr(self, name).get_secret_value()
            if not value or value == default:
                state = "is empty" if not value else "still has its development default"
                raise ValueError(
                    f"FRONTDESK_{name.upper()} {state}; set a real secret (FRONTDESK_ENV={self.env})"
                )
        if not self.encryption_keys:
            raise ValueError(
                "FRONTDESK_ENCRYPTION_KEYS is empty; set it to a key from `frontdesk secrets new-key` "
                f"(FRONTDESK_ENV={self.env})"
            )
        return self

    def secret_keys(self) -> list[bytes]:
        """The Fernet keys for secrets at rest, the encrypting one first. In dev without any, one derived
        from the secret key, so a laptop needs no setup and the dev database stays readable."""
        if self.encryption_keys:
            return [key.get_secret_value().encode() for key in self.encryption_keys]
        seed = b"frontdesk-secrets-at-rest:" + self.secret_key.get_secret_value().encode()
        return [base64.urlsafe_b64encode(hashlib.sha256(seed).digest())]

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def files_path(self) -> Path:
        """Where the local file store keeps files: FRONTDESK_FILES_DIR, or `frontdesk-files` beside the
        SQLite database file (in the working directory for PostgreSQL or an in-memory database)."""
        if self.files_dir is not None:
            return self.files_dir
        _, _, path = self.database_url.partition(":///")
        if self.is_sqlite and path and not path.startswith(":memory:"):
            return Path(path.split("?", 1)[0]).parent / "frontdesk-files"
        return Path("frontdesk-files")


def load_settings(**overrides: object) -> Settings:
    """Build the settings, turning validation errors into one readable `ConfigurationError` line."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise ConfigurationError(_describe(exc)) from None


def _describe(exc: ValidationError) -> str:
    problems = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        problems.append(f"FRONTDESK_{loc.upper()}: {msg}" if loc else msg)
    return "invalid setting: " + "; ".join(problems)
