"""`jinguo rotate_key`: personal data re-encrypted under a new key, resumable, exact search intact."""

import base64
import secrets

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from jinguo.audit.services import verify_chain
from jinguo.core import crypto, keys
from jinguo.core.idcard import check_char
from jinguo.petitions.models import Petitioner


def _id_number(i: int) -> str:
    first17 = f"43112219850308{i:03d}"
    return first17 + check_char(first17)


def _raw_tokens() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id_number FROM {Petitioner._meta.db_table} ORDER BY id")
        return [row[0] for row in cursor.fetchall()]


@pytest.fixture
def new_key(settings):
    """Switch to a fresh data key, keeping the old one as retired and as the index key (the documented steps)."""
    old = settings.DATA_KEY

    def _switch():
        settings.DATA_KEY = base64.b64encode(secrets.token_bytes(32)).decode()
        settings.DATA_KEYS_RETIRED = [old]
        settings.INDEX_KEY = old
        crypto.reset()
        return old

    yield _switch
    crypto.reset()


def test_rotation_is_resumable_and_keeps_search(tree, make_case, new_key, settings, monkeypatch):
    for i in range(7):
        make_case(tree["county"], name=f"李{i}", id_number=_id_number(i), phone=f"1380746{i:04d}")
    old_key_id = crypto.provider().key_id
    old = new_key()
    new_key_id = crypto.provider().key_id
    assert {crypto.key_id_of(t) for t in _raw_tokens()} == {old_key_id}

    # Cut the run off after the first batch of three rows: what was done stays done.
    calls = {"n": 0}
    real_update = keys.transaction.atomic

    def failing_atomic(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return real_update(*args, **kwargs)

    monkeypatch.setattr(keys.transaction, "atomic", failing_atomic)
    with pytest.raises(KeyboardInterrupt):
        keys.rotate_data_key(batch_size=3)
    monkeypatch.setattr(keys.transaction, "atomic", real_update)
    assert [crypto.key_id_of(t) for t in _raw_tokens()].count(new_key_id) == 3

    call_command("rotate_key", "--batch", "3")
    assert {crypto.key_id_of(t) for t in _raw_tokens()} == {new_key_id}

    # The old key can now be destroyed: every value opens with the new key alone, search still finds people.
    settings.DATA_KEYS_RETIRED = []
    crypto.reset()
    people = {p.name: p for p in Petitioner.objects.all()}
    assert people["李3"].id_number == _id_number(3) and people["李3"].phone == "13807460003"
    assert Petitioner.objects.get(id_hash=crypto.search_hash(_id_number(5))).name == "李5"
    assert settings.INDEX_KEY == old
    checked, broken = verify_chain()
    assert broken is None and checked > 0


def test_rotation_refuses_when_search_hashes_would_break(tree, make_case, settings):
    make_case(tree["county"], name="王芳", id_number=_id_number(1))
    old = settings.DATA_KEY
    settings.DATA_KEY = base64.b64encode(secrets.token_bytes(32)).decode()
    settings.DATA_KEYS_RETIRED = [old]
    settings.INDEX_KEY = ""  # forgotten: hashes would be computed with the new key
    crypto.reset()
    try:
        with pytest.raises(CommandError, match="JINGUO_INDEX_KEY"):
            call_command("rotate_key")
    finally:
        crypto.reset()


def test_value_under_an_unknown_key_is_an_error_not_garbage(settings):
    token = crypto.encrypt_text("13800000000")
    settings.DATA_KEY = base64.b64encode(secrets.token_bytes(32)).decode()
    crypto.reset()
    try:
        with pytest.raises(ValueError, match="not configured"):
            crypto.decrypt_text(token)
    finally:
        crypto.reset()
