"""Synthetic reports with ground truth: real-like events, and noisy reports of them by
several sources, for measuring the correlation engine (docs/simulation.md).

Pure: numpy draws from one seeded generator, so the same seed gives the same reports.
"""

from ceasefire.simulate.events import TrueEvent, events_from_reports, simulate_events
from ceasefire.simulate.noise import DEFAULT_SOURCES, NoiseModel, SourceProfile
from ceasefire.simulate.reports import Simulation, party_views, report_event, simulate

__all__ = [
    "DEFAULT_SOURCES", "NoiseModel", "Simulation", "SourceProfile", "TrueEvent",
    "events_from_reports", "party_views", "report_event", "simulate", "simulate_events",
]
