"""The HTTP server."""

from __future__ import annotations

from typing import Any

import click

from ceasefire.cli.root import Context, pass_context
from ceasefire.config import Settings, proxies


@click.command()
@click.option("--host", default=None, help="Overrides CEASEFIRE_HOST.")
@click.option("--port", type=int, default=None, help="Overrides CEASEFIRE_PORT.")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Server processes (PostgreSQL only): they share the writers' turn, the "
              "login limit and the ledger; one of them asks the witnesses.")
@pass_context
def serve(obj: Context, host: str | None, port: int | None, workers: int) -> None:
    """Serve the HTTP API, its docs (/docs) and the web pages (/login)."""
    import os

    import uvicorn

    from ceasefire.app import create_app
    from ceasefire.errors import InvalidInput

    settings = Settings.from_env(database_url=obj.settings.database_url, host=host, port=port)
    database = obj.database()
    if workers > 1 and not database.dialect.serves_many:
        raise InvalidInput(f"{database.backend} has one writer at a time and this server's "
                           "processes would not share it: --workers needs PostgreSQL",
                           field="workers")
    click.echo(f"serving {database.describe()} on http://{settings.host}:{settings.port}"
               + (f" with {workers} processes" if workers > 1 else ""))
    # X-Forwarded-For and -Proto are believed from the configured proxies only: uvicorn's
    # default believes any client on 127.0.0.1, which would let a local client choose the
    # address the login rate limit counts.
    trusted = proxies(settings.trusted_proxies)
    options: dict[str, Any] = {"host": settings.host, "port": settings.port,
                               "proxy_headers": bool(trusted),
                               "forwarded_allow_ips": ",".join(trusted)}
    if workers == 1:
        uvicorn.run(create_app(settings, database=database), **options)
        return
    # Each worker builds its app from the environment: give it what the options said.
    database.dispose()
    os.environ.update({"CEASEFIRE_DATABASE_URL": settings.database_url,
                       "CEASEFIRE_HOST": settings.host, "CEASEFIRE_PORT": str(settings.port)})
    uvicorn.run("ceasefire.app:from_env", factory=True, workers=workers, **options)
