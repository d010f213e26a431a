"""Report ids derived from keys are uuid5's, byte for byte, whatever the key holds."""

from __future__ import annotations

import uuid

import pytest

from ceasefire.intake.normalise import REPORT_NAMESPACE, report_uid


@pytest.mark.parametrize("name", [
    "", "key:ucdp-ged:235528", "party-key:RU:bench:20170504:0", "content:" + "f" * 64,
    "party-key:TR:مفتاح ٢", "key:🛰️\u200f\t\"\\", "party-key:IR:" + "k" * 200])
def test_report_uid_is_uuid5(name):
    assert report_uid(name) == str(uuid.uuid5(REPORT_NAMESPACE, name))
