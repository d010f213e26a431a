import pytest
from sqlalchemy import select

from ceasefire.domain import Role
from ceasefire.errors import Conflict, InvalidInput, NotFound, Unauthenticated
from ceasefire.services import accounts
from ceasefire.services.scenarios import load_scenario
from ceasefire.store.tables import ApiTokenRow


@pytest.fixture
def loaded(database, syria_scenario):
    load_scenario(database, syria_scenario)
    return database


def test_token_authenticates_its_account_and_only_a_hash_is_stored(loaded):
    account, token = accounts.create_account(loaded, party="TR", role="guarantor")
    assert account.username == "tr-guarantor-1" and account.role is Role.GUARANTOR
    assert accounts.authenticate(loaded, token=token).username == "tr-guarantor-1"
    with loaded.session() as s:
        stored = s.scalars(select(ApiTokenRow.token_hash)).all()
    assert accounts.hash_token(token) in stored
    assert token not in stored and all(not h.startswith("cfm_") for h in stored)


def test_generated_usernames_do_not_collide(loaded):
    names = [accounts.create_account(loaded, party="TR", role="observer")[0].username
             for _ in range(3)]
    assert names == ["tr-observer-1", "tr-observer-2", "tr-observer-3"]


def test_unknown_or_revoked_token_is_refused(loaded):
    _, token = accounts.create_account(loaded, party="UN", role="observer", username="un-2")
    with pytest.raises(Unauthenticated):
        accounts.authenticate(loaded, token=token + "x")
    second = accounts.issue_token(loaded, username="un-2")
    assert accounts.revoke_tokens(loaded, username="un-2") == (2, 0)  # tokens, sessions
    for t in (token, second):
        with pytest.raises(Unauthenticated):
            accounts.authenticate(loaded, token=t)


@pytest.mark.parametrize(("kwargs", "error", "field"), [
    ({"party": "KZ", "role": "guarantor"}, NotFound, "party"),
    ({"party": "UN", "role": "guarantor"}, InvalidInput, "role"),
    ({"party": "TR", "role": "general"}, InvalidInput, "role"),
    ({"party": "TR", "role": "guarantor", "username": "ru-officer"}, Conflict, "username"),
    ({"party": "TR", "role": "guarantor", "username": "Bad Name"}, InvalidInput, "username"),
])
def test_bad_account_request_changes_nothing(loaded, kwargs, error, field):
    before = accounts.list_accounts(loaded)
    with pytest.raises(error) as err:
        accounts.create_account(loaded, **kwargs)
    assert err.value.field == field
    assert accounts.list_accounts(loaded) == before
