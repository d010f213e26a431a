"""Deaths as a range (low / best / high), split by who died where the source says so;
and the injured, as a best estimate where the source gives one.

This is the shape of UCDP GED (low, best, high; deaths_a/b, civilians, unknown) and of
most casualty-recording practice: a single number hides how unsure we are. UCDP and ACLED
count no injured, so an unknown figure (None) is not "none injured".
"""

from __future__ import annotations

from dataclasses import dataclass

from ceasefire.errors import InvalidInput

# The highest toll one report may give, for any of its figures. No single report of a
# ceasefire violation counts a million dead; a larger figure is a slip or an attack on the
# record, and it must fit the store's 32-bit columns and the ledger's JSON (2^53).
DEATHS_MAX = 1_000_000


@dataclass(frozen=True, slots=True)
class Casualties:
    low: int = 0
    best: int = 0
    high: int = 0
    civilian: int | None = None
    combatant: int | None = None
    unknown: int | None = None
    injured: int | None = None  # best estimate; None: the source gives no figure

    def __post_init__(self) -> None:
        for name in ("low", "best", "high", "civilian", "combatant", "unknown", "injured"):
            value = getattr(self, name)
            if value is not None and not 0 <= value <= DEATHS_MAX:
                raise InvalidInput(f"{name} is {value}; give 0 to {DEATHS_MAX:,}",
                                   field=f"casualties.{name}")
        if not self.low <= self.best <= self.high:
            raise InvalidInput(
                f"need low <= best <= high, got {self.low} / {self.best} / {self.high}",
                field="casualties")
        split = self.split()
        parts = sum(split.values())
        if parts > self.best:
            raise InvalidInput(f"civilian + combatant + unknown ({parts}) exceeds best "
                               f"({self.best})", field="casualties")
        if len(split) == 3 and parts != self.best:
            raise InvalidInput(f"civilian + combatant + unknown ({parts}) must equal best "
                               f"({self.best}) when all three are given", field="casualties")

    def split(self) -> dict[str, int]:
        """The parts of the split the source gave (absent parts are left out, not zero)."""
        return {name: value for name in ("civilian", "combatant", "unknown")
                if (value := getattr(self, name)) is not None}

    @classmethod
    def none(cls) -> Casualties:
        return cls(0, 0, 0)

    def __add__(self, other: Casualties) -> Casualties:
        def both(a: int | None, b: int | None) -> int | None:
            return None if a is None or b is None else a + b
        return Casualties(self.low + other.low, self.best + other.best, self.high + other.high,
                          both(self.civilian, other.civilian),
                          both(self.combatant, other.combatant),
                          both(self.unknown, other.unknown),
                          both(self.injured, other.injured))
