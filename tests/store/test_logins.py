"""Web passwords and sessions, on each storage backend."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from ceasefire.errors import InvalidInput, NotFound
from ceasefire.services import accounts, logins, passwords
from ceasefire.store.tables import AccountRow, WebSessionRow
from tests.factories import PASSWORD, add_login

HOURS_12 = timedelta(hours=12)


@pytest.fixture
def officer(database):
    add_login(database)
    return database


def _stored(database, column):
    with database.session() as session:
        return session.scalars(select(column)).all()


def test_a_login_opens_a_session_kept_only_as_its_hash(officer):
    account, token = logins.log_in(officer, username="tr-officer", password=PASSWORD,
                                   lifetime=HOURS_12)
    assert account.username == "tr-officer" and token.startswith(logins.SESSION_PREFIX)
    assert logins.session_account(officer, token=token).username == "tr-officer"
    assert _stored(officer, WebSessionRow.token_hash) == [accounts.hash_token(token)]


def test_only_an_argon2id_hash_of_the_password_is_stored(officer):
    [stored] = _stored(officer, AccountRow.password_hash)
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_capitals_and_spaces_around_the_username_still_find_it(officer):
    account, _ = logins.log_in(officer, username=" TR-Officer ", password=PASSWORD,
                               lifetime=HOURS_12)
    assert account.username == "tr-officer"


@pytest.mark.parametrize("username, password", [
    ("tr-officer", "not the password"),
    ("nobody", PASSWORD),
    ("tr-other", PASSWORD),  # exists, but has no password
    ("NOT A USERNAME!", PASSWORD),
])
def test_every_failure_reads_the_same_and_opens_nothing(officer, username, password):
    accounts.create_account(officer, party="TR", role="observer", username="tr-other")
    with pytest.raises(logins.LoginFailed) as failure:
        logins.log_in(officer, username=username, password=password, lifetime=HOURS_12)
    assert failure.value.to_dict() == {"code": "login_failed",
                                       "message": "unknown username or wrong password"}
    assert _stored(officer, WebSessionRow.id) == []


def test_an_unknown_username_costs_one_argon2id_check_too(officer, monkeypatch):
    checked: list[bytes] = []
    real_verify = passwords.argon2id.verify

    def spy(stored: bytes, password: bytes) -> bool:
        checked.append(stored)
        return real_verify(stored, password)

    monkeypatch.setattr(passwords.argon2id, "verify", spy)
    for username in ("nobody", "tr-officer"):
        with pytest.raises(logins.LoginFailed):
            logins.log_in(officer, username=username, password="wrong password",
                          lifetime=HOURS_12)
    assert len(checked) == 2 and all(s.startswith(b"$argon2id$") for s in checked)
    assert checked[0] != checked[1]  # the dummy hash, then the account's own


def test_a_session_ends_at_its_expiry(officer):
    start = datetime(2017, 1, 5, 8, tzinfo=UTC)
    _, token = logins.log_in(officer, username="tr-officer", password=PASSWORD,
                             lifetime=HOURS_12, now=start)
    just_before = start + HOURS_12 - timedelta(seconds=1)
    assert logins.session_account(officer, token=token, now=just_before) is not None
    assert logins.session_account(officer, token=token, now=start + HOURS_12) is None


def test_logout_revokes_that_session_only(officer):
    _, first = logins.log_in(officer, username="tr-officer", password=PASSWORD,
                             lifetime=HOURS_12)
    _, second = logins.log_in(officer, username="tr-officer", password=PASSWORD,
                              lifetime=HOURS_12)
    assert logins.log_out(officer, token=first) is True
    assert logins.session_account(officer, token=first) is None
    assert logins.session_account(officer, token=second) is not None
    assert logins.log_out(officer, token=first) is False


def test_a_disabled_account_can_neither_log_in_nor_use_its_sessions(officer):
    _, token = logins.log_in(officer, username="tr-officer", password=PASSWORD,
                             lifetime=HOURS_12)
    accounts.set_active(officer, username="tr-officer", active=False)
    assert logins.session_account(officer, token=token) is None
    with pytest.raises(logins.LoginFailed):
        logins.log_in(officer, username="tr-officer", password=PASSWORD, lifetime=HOURS_12)
    accounts.set_active(officer, username="tr-officer", active=True)
    assert logins.session_account(officer, token=token) is None  # disabling ended it
    _, again = logins.log_in(officer, username="tr-officer", password=PASSWORD,
                             lifetime=HOURS_12)
    assert logins.session_account(officer, token=again) is not None


def test_a_new_password_ends_the_open_sessions(officer):
    _, token = logins.log_in(officer, username="tr-officer", password=PASSWORD,
                             lifetime=HOURS_12)
    assert logins.set_password(officer, username="tr-officer",
                               password="a different passphrase") == 1
    assert logins.session_account(officer, token=token) is None
    with pytest.raises(logins.LoginFailed):
        logins.log_in(officer, username="tr-officer", password=PASSWORD, lifetime=HOURS_12)
    logins.log_in(officer, username="tr-officer", password="a different passphrase",
                  lifetime=HOURS_12)


@pytest.mark.parametrize("password, message", [
    ("eleven char", "must be at least 12 characters, got 11"),
    ("x" * 1025, "must be at most 1024 characters"),
])
def test_a_bad_password_is_refused_naming_the_field_and_changes_nothing(officer, password,
                                                                        message):
    before = _stored(officer, AccountRow.password_hash)
    with pytest.raises(InvalidInput) as refused:
        logins.set_password(officer, username="tr-officer", password=password)
    assert (refused.value.field, refused.value.message) == ("password", message)
    assert _stored(officer, AccountRow.password_hash) == before


def test_a_password_for_an_unknown_account_is_refused(officer):
    with pytest.raises(NotFound) as refused:
        logins.set_password(officer, username="nobody", password=PASSWORD)
    assert refused.value.field == "username"
