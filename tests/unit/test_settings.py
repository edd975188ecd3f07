"""Settings refuse placeholder secrets outside dev and name the variable on any error."""

from __future__ import annotations

import pytest

from frontdesk.domain.errors import ConfigurationError
from frontdesk.settings import load_settings

REAL = {
    "secret_key": "s3cret-key",
    "whatsapp_verify_token": "verify",
    "whatsapp_app_secret": "app-secret",
    "whatsapp_access_token": "token",
}


def test_dev_accepts_the_defaults() -> None:
    assert load_settings(_env_file=None, env="dev").env == "dev"


@pytest.mark.parametrize("name", sorted(REAL))
def test_prod_refuses_a_default_secret_naming_it(name: str) -> None:
    values = {k: v for k, v in REAL.items() if k != name}
    with pytest.raises(
        ConfigurationError, match=f"FRONTDESK_{name.upper()} still has its development default"
    ):
        load_settings(_env_file=None, env="prod", **values)


def test_prod_refuses_an_empty_secret() -> None:
    with pytest.raises(ConfigurationError, match="FRONTDESK_WHATSAPP_APP_SECRET is empty"):
        load_settings(_env_file=None, env="prod", **{**REAL, "whatsapp_app_secret": ""})


def test_prod_with_real_secrets_loads() -> None:
    assert (
        load_settings(_env_file=None, env="prod", **REAL).whatsapp_app_secret.get_secret_value()
        == "app-secret"
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("workers", "0", "FRONTDESK_WORKERS"),
        ("whatsapp_api_version", "21", "FRONTDESK_WHATSAPP_API_VERSION"),
        ("env", "staging", "FRONTDESK_ENV"),
    ],
)
def test_bad_values_name_the_variable(field: str, value: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        load_settings(_env_file=None, **{field: value})


def test_environment_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRONTDESK_WORKERS", "7")
    assert load_settings(_env_file=None).workers == 7
