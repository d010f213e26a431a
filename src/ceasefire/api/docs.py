"""The API docs page: Swagger UI from the package, started by a script file, not inline.

fastapi-offline ships Swagger UI's files so the docs work offline, but its page (FastAPI's)
starts Swagger UI with an inline <script>, which the Content-Security-Policy forbids. This
page loads the same files and takes its settings from data attributes, read by
``static/swagger-init.js``.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse

OFFLINE_STATIC = "/static-offline-docs"  # where fastapi-offline mounts Swagger UI's files
_INIT_SCRIPT = Path(__file__).parent / "static" / "swagger-init.js"

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="{root}{static}/swagger-ui.css">
<link rel="icon" href="{root}{static}/favicon.png">
</head>
<body>
<div id="swagger-ui" data-openapi-url="{root}{openapi}"></div>
<script src="{root}{static}/swagger-ui-bundle.js"></script>
<script src="{root}/docs/swagger-init.js"></script>
</body>
</html>
"""


def install(app: FastAPI, *, path: str = "/docs") -> None:
    assert app.openapi_url is not None

    @app.get(path, include_in_schema=False)
    async def docs_page(request: Request) -> HTMLResponse:
        root = escape(request.scope.get("root_path", ""), quote=True)
        return HTMLResponse(_PAGE.format(title=escape(f"{app.title} - API docs"), root=root,
                                         static=OFFLINE_STATIC,
                                         openapi=escape(app.openapi_url or "", quote=True)))

    @app.get(f"{path}/swagger-init.js", include_in_schema=False)
    async def docs_script() -> FileResponse:
        return FileResponse(_INIT_SCRIPT, media_type="text/javascript")

