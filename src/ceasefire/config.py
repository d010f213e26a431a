"""Settings: one list, each with its default and help, read from the environment.

Nothing is read at import time; ``Settings.from_env()`` is called by the CLI and by
``create_app`` callers, so tests build their own settings.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from ipaddress import ip_network

from ceasefire.errors import ConfigError


@dataclass(frozen=True, slots=True)
class Setting:
    name: str  # environment variable
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("CEASEFIRE_DATABASE_URL", "sqlite:///./data/ceasefire.db",
            "SQLAlchemy URL of the database: sqlite:///PATH (embedded, the default) or "
            "postgresql://USER@HOST:PORT/DB."),
    Setting("CEASEFIRE_HOST", "127.0.0.1", "Address the HTTP server listens on."),
    Setting("CEASEFIRE_PORT", "8000", "Port the HTTP server listens on (0: any free port)."),
    Setting("CEASEFIRE_SERVER_PASSPHRASE", "",
            "Opens the server's ledger signing key, sealed in the database (argon2id); at "
            "least 12 characters. Needed by every command and server that writes."),
    Setting("CEASEFIRE_SESSION_HOURS", "12",
            "How long a web login lasts, in hours (1 to 720), unless the user logs out."),
    Setting("CEASEFIRE_MAX_BODY_BYTES", "1048576",
            "The largest request body the HTTP server accepts, in bytes (at least 1024); "
            "a larger one gets 413 unread."),
    Setting("CEASEFIRE_TRUSTED_PROXIES", "",
            "Addresses or networks (comma-separated) of reverse proxies whose "
            "X-Forwarded-For and X-Forwarded-Proto the server believes; empty: none."),
    Setting("CEASEFIRE_LOG_ORIGIN", "ceasefire-monitor.local/ledger",
            "The ledger's name in its checkpoints (the C2SP origin line, and the name of the "
            "server's key in their signatures); witnesses know the log by it."),
    Setting("CEASEFIRE_WITNESSES", "",
            "A TOML file naming the witnesses the server asks to cosign its checkpoints (each "
            "witness's party, URL and verifier key) and the quorum; empty: none, and every "
            "page and bulletin says its checkpoints are unwitnessed."),
)


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str = SETTINGS[0].default
    host: str = SETTINGS[1].default
    port: int = int(SETTINGS[2].default)
    server_passphrase: str = SETTINGS[3].default
    session_hours: int = int(SETTINGS[4].default)
    max_body_bytes: int = int(SETTINGS[5].default)
    trusted_proxies: str = SETTINGS[6].default
    log_origin: str = SETTINGS[7].default
    witnesses: str = SETTINGS[8].default

    def __repr__(self) -> str:  # the passphrase never reaches a log or a traceback
        return (f"Settings(database_url={self.database_url!r}, host={self.host!r}, "
                f"port={self.port!r}, server_passphrase=***, "
                f"session_hours={self.session_hours!r}, "
                f"max_body_bytes={self.max_body_bytes!r}, "
                f"trusted_proxies={self.trusted_proxies!r}, log_origin={self.log_origin!r}, "
                f"witnesses={self.witnesses!r})")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for setting, field in zip(SETTINGS, fields(cls), strict=True):
            raw = env.get(setting.name, setting.default)
            if field.type in ("int", int):
                try:
                    values[field.name] = int(raw)
                except ValueError:
                    raise ConfigError(f"must be a whole number, got {raw!r}",
                                      field=setting.name) from None
            else:
                values[field.name] = raw
        values.update({k: v for k, v in overrides.items() if v is not None})
        settings = cls(**values)  # type: ignore[arg-type]
        if not 0 <= settings.port < 65536:
            raise ConfigError(f"must be between 0 and 65535, got {settings.port}",
                              field="CEASEFIRE_PORT")
        if not 1 <= settings.session_hours <= 720:
            raise ConfigError(f"must be between 1 and 720, got {settings.session_hours}",
                              field="CEASEFIRE_SESSION_HOURS")
        if settings.max_body_bytes < 1024:
            raise ConfigError(f"must be at least 1024, got {settings.max_body_bytes}",
                              field="CEASEFIRE_MAX_BODY_BYTES")
        if not settings.log_origin or any(c.isspace() or c == "+"
                                          for c in settings.log_origin):
            raise ConfigError("a log origin is one word with no spaces or '+', e.g. "
                              f"example.org/ledger; got {settings.log_origin!r}",
                              field="CEASEFIRE_LOG_ORIGIN")
        for proxy in proxies(settings.trusted_proxies):
            try:
                ip_network(proxy, strict=False)
            except ValueError:
                raise ConfigError(f"{proxy!r} is not an IP address or network",
                                  field="CEASEFIRE_TRUSTED_PROXIES") from None
        return settings


def proxies(setting: str) -> list[str]:
    """The addresses and networks of CEASEFIRE_TRUSTED_PROXIES."""
    return [p.strip() for p in setting.split(",") if p.strip()]
