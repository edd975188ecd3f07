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
KEY = "dGVzdC1lbmNyeXB0aW9uLWtleS0zMi1ieXRlcy0wMDA="
OLD_KEY = "b2xkLWVuY3J5cHRpb24ta2V5LTMyLWJ5dGVzLTAwMDA="


def test_dev_accepts_the_defaults() -> None:
    assert load_settings(_env_file=None, env="dev").env == "dev"


@pytest.mark.parametrize("name", sorted(REAL))
def test_prod_refuses_a_default_secret_naming_it(name: str) -> None:
    values = {k: v for k, v in REAL.items() if k != name}
    with pytest.raises(
        ConfigurationError, match=f"FRONTDESK_{name.upper()} still has its development default"
    ):
        load_settings(_env_file=None, env="prod", encryption_keys=KEY, **values)


def test_prod_refuses_an_empty_secret() -> None:
    with pytest.raises(ConfigurationError, match="FRONTDESK_WHATSAPP_APP_SECRET is empty"):
        load_settings(_env_file=None, env="prod", encryption_keys=KEY, **{**REAL, "whatsapp_app_secret": ""})


def test_prod_with_real_secrets_loads() -> None:
    assert (
        load_settings(
            _env_file=None, env="prod", encryption_keys=KEY, **REAL
        ).whatsapp_app_secret.get_secret_value()
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


def test_prod_refuses_to_start_without_an_encryption_key() -> None:
    with pytest.raises(ConfigurationError, match="FRONTDESK_ENCRYPTION_KEYS is empty"):
        load_settings(_env_file=None, env="prod", **REAL)


def test_encryption_keys_are_a_list_the_first_encrypting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRONTDESK_ENCRYPTION_KEYS", f" {KEY} ,{OLD_KEY}")
    settings = load_settings(_env_file=None, env="prod", **REAL)
    assert settings.secret_keys() == [KEY.encode(), OLD_KEY.encode()]
    assert KEY not in repr(settings)


def test_a_malformed_encryption_key_is_refused_without_echoing_it() -> None:
    with pytest.raises(ConfigurationError, match="FRONTDESK_ENCRYPTION_KEYS: key 2 is not a Fernet key") as e:
        load_settings(_env_file=None, encryption_keys=f"{KEY},not-a-key")
    assert "not-a-key" not in str(e.value)


def test_dev_derives_a_key_from_the_secret_key() -> None:
    one = load_settings(_env_file=None, env="dev").secret_keys()
    other = load_settings(_env_file=None, env="dev", secret_key="another").secret_keys()
    assert len(one) == 1 and one != other


def test_a_lease_shorter_than_twice_the_graph_timeout_is_refused() -> None:
    # A reply's lease must outlast its send and the commit of the outcome, or it is sent twice.
    with pytest.raises(
        ConfigurationError,
        match=r"FRONTDESK_JOB_LEASE_SECONDS \(15\) must be at least 2x FRONTDESK_WHATSAPP_TIMEOUT_SECONDS "
        r"\(10\), i.e. 20",
    ):
        load_settings(_env_file=None, job_lease_seconds=15)
    assert (
        load_settings(_env_file=None, job_lease_seconds=4, whatsapp_timeout_seconds=2).job_lease_seconds == 4
    )


@pytest.mark.parametrize(
    ("token", "problem"), [(None, "is not set"), ("short-token", "is shorter than 32 characters")]
)
def test_a_bridge_outside_dev_needs_a_long_webhook_token(token: str | None, problem: str) -> None:
    values = {"env": "prod", "encryption_keys": KEY, "bridge_url": "http://zapw:3000/", **REAL}
    with pytest.raises(ConfigurationError, match=f"FRONTDESK_BRIDGE_WEBHOOK_TOKEN {problem}") as refused:
        load_settings(_env_file=None, bridge_webhook_token=token, **values)
    assert "short-token" not in str(refused.value)
    settings = load_settings(_env_file=None, bridge_webhook_token="t" * 32, **values)
    assert settings.bridge_url == "http://zapw:3000"
    assert (
        load_settings(_env_file=None, env="prod", encryption_keys=KEY, **REAL).bridge_url is None
    )  # no bridge
    assert (
        load_settings(_env_file=None, env="dev", bridge_url="http://zapw:3000").bridge_webhook_token is None
    )


def test_the_bridges_pacing_must_fit_in_a_send() -> None:
    bridge = "http://127.0.0.1:3000"
    with pytest.raises(ConfigurationError, match="FRONTDESK_BRIDGE_SEND_INTERVAL_SECONDS"):
        load_settings(
            _env_file=None, bridge_url=bridge, bridge_send_interval_seconds=6, whatsapp_timeout_seconds=10
        )
    assert load_settings(_env_file=None).bridge_send_interval_seconds == 1.0


def test_without_a_bridge_nothing_is_paced_so_any_send_timeout_will_do() -> None:
    assert load_settings(_env_file=None, whatsapp_timeout_seconds=0.5).whatsapp_timeout_seconds == 0.5
