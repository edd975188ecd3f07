"""Frontdesk's configuration: one validated object, read from the environment (prefix FRONTDESK_) and `.env`.

This is the only module that reads the environment. Outside `FRONTDESK_ENV=dev` a secret that is empty
or still has its development default stops the process, naming the variable.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Self

from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from frontdesk.domain.errors import ConfigurationError

_DEV_SECRETS = {
    "secret_key": "dev-secret-key-change-me",
    "whatsapp_verify_token": "dev-verify-token",
    "whatsapp_app_secret": "dev-app-secret",
    "whatsapp_access_token": "dev-access-token",
    "admin_token": "dev-admin-token",
}


DEV_ADMIN_TOKEN = _DEV_SECRETS["admin_token"]


class Environment(StrEnum):
    DEV = "dev"
    TEST = "test"
    PROD = "prod"


class Settings(BaseSettings):
    """Every setting Frontdesk reads. Field `x` is the variable `FRONTDESK_X`."""

    model_config = SettingsConfigDict(env_prefix="FRONTDESK_", env_file=".env", extra="ignore")

    env: Environment = Environment.DEV
    database_url: str = "sqlite+aiosqlite:///./frontdesk.db"
    secret_key: SecretStr = SecretStr(_DEV_SECRETS["secret_key"])
    log_level: str = "INFO"
    log_json: bool = True

    # Until staff accounts exist, the admin API takes this bearer token, acting for tenant `admin_tenant`.
    admin_token: SecretStr = SecretStr(_DEV_SECRETS["admin_token"])
    admin_tenant: str = "lumen"

    whatsapp_verify_token: SecretStr = SecretStr(_DEV_SECRETS["whatsapp_verify_token"])
    whatsapp_app_secret: SecretStr = SecretStr(_DEV_SECRETS["whatsapp_app_secret"])
    whatsapp_access_token: SecretStr = SecretStr(_DEV_SECRETS["whatsapp_access_token"])
    whatsapp_phone_number_id: str | None = None
    whatsapp_graph_url: str = "https://graph.facebook.com"
    whatsapp_api_version: Annotated[str, Field(pattern=r"^v\d+\.\d+$")] = "v21.0"
    whatsapp_timeout_seconds: Annotated[float, Field(gt=0, le=120)] = 10.0

    max_body_bytes: Annotated[int, Field(ge=1024)] = 1024 * 1024
    kb_max_bytes: Annotated[int, Field(ge=1024)] = 10 * 1024 * 1024
    workers: Annotated[int, Field(ge=1, le=256)] = 4
    job_max_attempts: Annotated[int, Field(ge=1, le=100)] = 5
    job_lease_seconds: Annotated[float, Field(gt=0)] = 60.0
    retry_base_seconds: Annotated[float, Field(gt=0)] = 2.0
    retry_max_seconds: Annotated[float, Field(gt=0)] = 300.0
    poll_interval_seconds: Annotated[float, Field(gt=0, le=10)] = 0.5
    send_max_attempts: Annotated[int, Field(ge=1, le=100)] = 8
    responder: Annotated[str, Field(pattern=r"^(greeting|[\w.]+:\w+)$")] = "greeting"
    demo_seed: bool = True
    demo_data_dir: Path | None = None

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
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


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
