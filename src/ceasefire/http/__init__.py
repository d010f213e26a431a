"""What the API and the web pages share over HTTP, below both: the database and session
dependencies and the calling account (deps), the JSON error shape (errors), keyset paging,
and the middlewares the app is wrapped in (security headers, Server-Timing, the body
limit and the token checked before the body)."""
