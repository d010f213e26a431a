"""The HTTP server."""

from __future__ import annotations

import click

from ceasefire.cli.root import Context, pass_context
from ceasefire.config import Settings, proxies


@click.command()
@click.option("--host", default=None, help="Overrides CEASEFIRE_HOST.")
@click.option("--port", type=int, default=None, help="Overrides CEASEFIRE_PORT.")
@pass_context
def serve(obj: Context, host: str | None, port: int | None) -> None:
    """Serve the HTTP API, its docs (/docs) and the web pages (/login)."""
    import uvicorn

    from ceasefire.app import create_app

    settings = Settings.from_env(database_url=obj.settings.database_url, host=host, port=port)
    database = obj.database()
    click.echo(f"serving {database.describe()} on http://{settings.host}:{settings.port}")
    # X-Forwarded-For and -Proto are believed from the configured proxies only: uvicorn's
    # default believes any client on 127.0.0.1, which would let a local client choose the
    # address the login rate limit counts.
    trusted = proxies(settings.trusted_proxies)
    uvicorn.run(create_app(settings, database=database), host=settings.host, port=settings.port,
                proxy_headers=bool(trusted), forwarded_allow_ips=",".join(trusted))
