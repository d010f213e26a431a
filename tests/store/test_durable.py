"""Files written durably (store/durable.py): whole or not at all, and a file that must be
new is never overwritten."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from ceasefire.store import durable


class DiskFull(OSError):
    pass


def fail_midway(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every fsync fails: the content is written but never made to last, as on a full or
    failing disk."""
    def failing(fd: int) -> None:
        raise DiskFull(28, "No space left on device")
    monkeypatch.setattr(durable.os, "fsync", failing)


def test_replace_puts_the_new_content_in_place_and_leaves_nothing_beside(tmp_path):
    target = tmp_path / "state.json"
    target.write_bytes(b"old")
    durable.replace(target, b"new")
    assert target.read_bytes() == b"new"
    assert os.listdir(tmp_path) == ["state.json"]


def test_a_replace_failing_midway_leaves_the_old_file_whole_and_no_temporary(
        tmp_path, monkeypatch):
    target = tmp_path / "state.json"
    target.write_bytes(b"old content, whole")
    fail_midway(monkeypatch)
    with pytest.raises(DiskFull):
        durable.replace(target, b"new content that never lands")
    assert target.read_bytes() == b"old content, whole"
    assert os.listdir(tmp_path) == ["state.json"]


def test_create_makes_a_secret_readable_by_its_owner_alone(tmp_path):
    old = os.umask(0)  # even a umask that would let everyone read
    try:
        durable.create(tmp_path / "witness.key", b"sealed key")
    finally:
        os.umask(old)
    assert (tmp_path / "witness.key").read_bytes() == b"sealed key"
    assert stat.S_IMODE((tmp_path / "witness.key").stat().st_mode) == 0o600
    assert os.listdir(tmp_path) == ["witness.key"]


def test_create_refuses_a_file_that_exists_and_leaves_it_untouched(tmp_path: Path):
    target = tmp_path / "witness.key"
    target.write_bytes(b"the key there first")
    target.chmod(0o640)
    with pytest.raises(FileExistsError):
        durable.create(target, b"another key")
    assert target.read_bytes() == b"the key there first"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert os.listdir(tmp_path) == ["witness.key"]


def test_a_create_failing_midway_leaves_no_file(tmp_path, monkeypatch):
    fail_midway(monkeypatch)
    with pytest.raises(DiskFull):
        durable.create(tmp_path / "witness.key", b"sealed key")
    assert os.listdir(tmp_path) == []


def test_write_new_refuses_a_file_that_exists(tmp_path):
    staged = tmp_path / ".entries.jsonl.new"
    staged.write_bytes(b"staged earlier")
    with pytest.raises(FileExistsError):
        durable.write_new(staged, b"again")
    assert staged.read_bytes() == b"staged earlier"
