"""One small simulation shared by the module's tests (it is read, never changed)."""

from __future__ import annotations

from datetime import date

import pytest

from ceasefire.geo.admin import syria
from ceasefire.geo.gazetteer import syria_gazetteer
from ceasefire.simulate import Simulation, simulate

START = date(2017, 1, 1)


def run(seed: int, events: int, actors, **options) -> Simulation:  # noqa: ANN001
    return simulate(seed, events=events, start=START, days=60, admin=syria(),
                    gazetteer=syria_gazetteer(), actors=actors, **options)


@pytest.fixture(scope="session")
def actors(syria_scenario):
    return syria_scenario.actors


@pytest.fixture(scope="session")
def sim(actors) -> Simulation:
    return run(7, 3000, actors)
