"""A login, a page view and an API call leave no password, session token or API token in
any log: ours, the libraries', or uvicorn's access log."""

import logging
import re

import httpx2

from ceasefire.web.cookies import LOGIN_COOKIE, SESSION_COOKIE
from tests.factories import PASSWORD, add_login
from tests.web.conftest import serving

CLIENT_LOGGERS = {"httpx2", "httpcore2"}


def cookie(name: str, value: str) -> dict[str, str]:
    return {"Cookie": f"{name}={value}"}


def test_no_secret_reaches_the_logs(web_database, caplog):
    _, api_token = add_login(web_database)
    caplog.set_level(logging.DEBUG)
    with serving(web_database, access_log=True) as base, httpx2.Client(base_url=base) as http:
        login_page = http.get("/login")
        # The cookies are Secure and this is plain http on loopback, where a browser keeps
        # them but httpx's jar does not: carry them by hand.
        pre_login = login_page.cookies[LOGIN_COOKIE]
        token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', login_page.text).group(1)
        failed = http.post("/login", headers=cookie(LOGIN_COOKIE, pre_login),
                           data={"username": "tr-officer", "password": PASSWORD + "x",
                                 "csrf_token": token})
        logged_in = http.post("/login", headers=cookie(LOGIN_COOKIE, pre_login),
                              data={"username": "tr-officer", "password": PASSWORD,
                                    "csrf_token": token})
        session = logged_in.cookies[SESSION_COOKIE]
        home = http.get("/", headers=cookie(SESSION_COOKIE, session))
        me = http.get("/api/v1/me", headers={"Authorization": f"Bearer {api_token}"})
    assert (failed.status_code, logged_in.status_code, home.status_code, me.status_code) == (
        400, 303, 200, 200)

    # Everything the server side logged; not the test's own HTTP client, which logs the
    # headers it receives, cookies included.
    logged = "\n".join(f"{r.name} {r.getMessage()}" for r in caplog.records
                       if r.name.split(".")[0] not in CLIENT_LOGGERS)
    assert '"POST /login HTTP/1.1" 303' in logged  # the access log was captured
    assert "login: tr-officer" in logged and "login failed" in logged
    for secret in (PASSWORD, session, api_token, pre_login):
        assert secret not in logged
