"""The secret box for credentials at rest (Fernet: AES-128-CBC + HMAC-SHA256, from `cryptography`).

The key comes from `BREADBOX_SECRET_KEY`, or from `DATA_DIR/secret.key`, created with mode 0600 on
first run. Losing that file means re-entering every credential, so it is never rotated silently.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken

from breadbox.config import Settings

KEY_FILE_NAME = "secret.key"


class SecretBoxError(Exception):
    """The stored secret cannot be opened with this key (never carries the secret itself)."""


class SecretBox:
    def __init__(self, key: bytes) -> None:
        self._fernet = Fernet(key)

    def seal(self, payload: dict[str, Any]) -> bytes:
        return self._fernet.encrypt(json.dumps(payload, separators=(",", ":")).encode())

    def open(self, token: bytes) -> dict[str, Any]:
        try:
            data = json.loads(self._fernet.decrypt(token))
        except InvalidToken as exc:
            raise SecretBoxError(
                "stored credentials cannot be decrypted with the configured secret key"
            ) from exc
        if not isinstance(data, dict):
            raise SecretBoxError("stored credentials are malformed")
        return data


def load_secret_key(settings: Settings) -> bytes:
    """The configured key, or the key file's, creating the file (0600) if there is none yet."""
    if settings.secret_key is not None:
        key = settings.secret_key.get_secret_value().encode()
        Fernet(key)  # fail fast with cryptography's own message if malformed
        return key
    path = Path(settings.data_dir) / KEY_FILE_NAME
    if path.exists():
        return path.read_bytes().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, key)
    finally:
        os.close(fd)
    return key


def redact(secret: str, keep: int = 4) -> str:
    """`ntn_1234…a1b2` style: a recognisable prefix and the last characters, never the middle."""
    prefix = secret.split("_", 1)[0] + "_" if "_" in secret[:8] else ""
    tail = secret[-keep:] if len(secret) > keep * 3 else ""
    return f"{prefix}…{tail}"
