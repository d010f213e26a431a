"""The one exception tree. Services raise these; the CLI and HTTP layers translate them.

Each error carries structured context (which source, line, field, id) so the message
names exactly what is wrong, and a stable ``code`` that API clients can rely on.
"""

from __future__ import annotations

from typing import Any


class CeasefireError(Exception):
    code = "error"
    http_status = 400

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        line: int | None = None,
        field: str | None = None,
        id: str | None = None,  # noqa: A002 - the id of the record at fault
    ) -> None:
        super().__init__(message)
        self.message = message
        self.source = source
        self.line = line
        self.field = field
        self.id = id

    def where(self) -> str:
        parts = []
        if self.source:
            parts.append(self.source)
        if self.line is not None:
            parts.append(f"line {self.line}")
        # The id is said once: not when the message names it, not as "id, id 'x'".
        said = self.id is not None and str(self.id) in self.message
        if self.field and not (self.field == "id" and self.id and not said):
            parts.append(self.field)
        if self.id and not said:
            parts.append(f"id {self.id!r}")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.where()
        return f"{where}: {self.message}" if where else self.message

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        for key in ("source", "line", "field", "id"):
            value = getattr(self, key)
            if value is not None:
                body[key] = value
        return body


class InvalidInput(CeasefireError):
    code = "invalid_input"
    http_status = 422


class NotFound(CeasefireError):
    code = "not_found"
    http_status = 404


class Conflict(CeasefireError):
    code = "conflict"
    http_status = 409


class Unauthenticated(CeasefireError):
    code = "unauthenticated"
    http_status = 401


class Forbidden(CeasefireError):
    code = "forbidden"
    http_status = 403


class ConfigError(CeasefireError):
    code = "invalid_config"
    http_status = 500


class StorageUnavailable(CeasefireError):
    code = "storage_unavailable"
    http_status = 503
