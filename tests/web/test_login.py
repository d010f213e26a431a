"""The login, logout and home pages over HTTP, on each storage backend."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from ceasefire.app import create_app
from ceasefire.config import Settings
from ceasefire.services import accounts
from ceasefire.store.tables import WebSessionRow
from ceasefire.web.cookies import LOGIN_COOKIE, SESSION_COOKIE
from tests.factories import PASSWORD, add_login


@pytest.fixture
def client(database):
    add_login(database)
    settings = Settings(database_url=database.url.render_as_string(hide_password=False))
    # https: the cookies are Secure, and the test client's jar keeps them for https only.
    with TestClient(create_app(settings, database=database),
                    base_url="https://testserver") as client:
        yield client


def form_token(page) -> str:
    return re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text).group(1)


def log_in(client, username="tr-officer", password=PASSWORD, token=None):
    token = token or form_token(client.get("/login"))
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": token}, follow_redirects=False)


def sessions(database) -> list[WebSessionRow]:
    with database.session() as session:
        return list(session.scalars(select(WebSessionRow)))


def test_the_home_page_shows_a_visitor_the_public_record_not_a_login_form(client):
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 200
    assert "Latest bulletins" in response.text and 'href="/login"' in response.text
    assert 'name="password"' not in response.text


def test_the_login_page_is_a_labelled_form_with_a_csrf_token(client):
    page = client.get("/login")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    for field in ("username", "password"):
        assert f'<label for="{field}">' in page.text and f'id="{field}"' in page.text
    assert 'autocomplete="current-password"' in page.text and form_token(page)
    cookie = page.headers["set-cookie"]
    assert cookie.startswith(f"{LOGIN_COOKIE}=")
    assert all(flag in cookie for flag in ("HttpOnly", "Secure", "SameSite=strict", "Path=/"))


def test_a_login_sets_the_session_cookie_and_opens_the_home_page(client, database):
    response = log_in(client)
    assert (response.status_code, response.headers["location"]) == (303, "/")
    [cookie] = [c for c in response.headers.get_list("set-cookie")
                if c.startswith(SESSION_COOKIE)]
    assert all(flag in cookie for flag in ("HttpOnly", "Secure", "SameSite=strict", "Path=/",
                                           "Max-Age=43200"))
    token = client.cookies[SESSION_COOKIE]
    assert [s.token_hash for s in sessions(database)] == [accounts.hash_token(token)]
    home = client.get("/")
    assert home.status_code == 200 and home.headers["cache-control"] == "no-store"
    assert "Logged in as tr-officer" in home.text
    assert "Party TR: a guarantor officer." in home.text
    assert 'action="/logout"' in home.text
    assert client.get("/login", follow_redirects=False).headers["location"] == "/"


@pytest.mark.parametrize("username, password", [("tr-officer", "not the password"),
                                                ("nobody", PASSWORD)])
def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(client, database,
                                                                   username, password):
    response = log_in(client, username=username, password=password)
    assert response.status_code == 400
    assert "Unknown username or wrong password." in response.text
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")
    assert sessions(database) == []


@pytest.mark.parametrize("token", [None, "", "0" * 64])
def test_a_login_without_the_right_csrf_token_is_refused(client, database, token):
    client.get("/login")
    data = {"username": "tr-officer", "password": PASSWORD}
    if token is not None:
        data["csrf_token"] = token
    response = client.post("/login", data=data, follow_redirects=False)
    assert response.status_code == 403 and "Nothing was changed" in response.text
    assert sessions(database) == [] and SESSION_COOKIE not in client.cookies


def test_a_login_token_is_no_good_with_another_browsers_cookie(client, database):
    token = form_token(client.get("/login"))
    client.cookies.clear()
    client.get("/login")  # a new pre-login cookie
    assert log_in(client, token=token).status_code == 403
    assert sessions(database) == []


def test_logout_revokes_the_session(client, database):
    log_in(client)
    token = client.cookies[SESSION_COOKIE]
    response = client.post("/logout", data={"csrf_token": form_token(client.get("/"))},
                           follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/login")
    assert SESSION_COOKIE not in client.cookies
    [stored] = sessions(database)
    assert stored.revoked_at is not None
    # The old cookie, sent again, opens nothing.
    client.cookies.set(SESSION_COOKIE, token)
    assert client.get("/", follow_redirects=False).status_code == 303


@pytest.mark.parametrize("token", [None, "0" * 64])
def test_a_logout_without_the_right_csrf_token_is_refused(client, database, token):
    log_in(client)
    data = {} if token is None else {"csrf_token": token}
    assert client.post("/logout", data=data, follow_redirects=False).status_code == 403
    assert client.get("/").status_code == 200
    assert all(s.revoked_at is None for s in sessions(database))


def test_a_disabled_account_is_refused(client, database):
    log_in(client)
    accounts.set_active(database, username="tr-officer", active=False)
    assert client.get("/", follow_redirects=False).headers["location"] == "/login"
    client.cookies.clear()
    assert log_in(client).status_code == 400


def test_three_failures_then_a_wait_even_with_the_right_password(client, database):
    token = form_token(client.get("/login"))
    for _ in range(3):
        assert log_in(client, password="not the password", token=token).status_code == 400
    refused = log_in(client, token=token)
    assert refused.status_code == 429
    assert "3 failed logins for this username from here: try again in 1 minute" in refused.text
    assert "the secretariat can set a new one" in refused.text
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert sessions(database) == []


def test_a_colleagues_typos_from_the_same_address_do_not_lock_one_out(client, database):
    token = form_token(client.get("/login"))
    for _ in range(5):
        assert log_in(client, username="ru-officer", password="typo", token=token
                      ).status_code in (400, 429)
    assert log_in(client, token=token).status_code == 303


def test_failures_from_one_address_across_usernames_are_stopped(client):
    token = form_token(client.get("/login"))
    for n in range(50):
        assert log_in(client, username=f"guess-{n}", token=token).status_code == 400
    refused = log_in(client, token=token)
    assert refused.status_code == 429 and "from your network" in refused.text


def test_a_refused_csrf_token_is_not_counted_as_a_failure(client):
    client.get("/login")
    for _ in range(6):
        client.post("/login", data={"username": "tr-officer", "password": "x"})
    assert log_in(client).status_code == 303
