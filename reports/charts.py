"""What the dashboard's charts need beyond the figures themselves: where the unit chart's axis stops.

One unit at 400 % drew every other bar as a sliver. The axis of the attainment chart therefore stops at
the larger of 150 %, twice the median unit and (with ten units or more) the 90th percentile, rounded up
to a multiple of 50 %; a bar beyond is drawn to the axis's end and labelled with its real value.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal

from organizations.notation import percent as percent_text

FLOOR = 150  # every unit at up to half as much again as its target is always drawn to scale
STEP = 50


def _nearest_rank(ordered: Sequence[float], share: float) -> float:
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def axis_cap(values: Sequence[float | Decimal | None]) -> int | None:
    """Where the attainment axis stops, or None when every bar fits (no bar would be cut)."""
    known = sorted(float(v) for v in values if v is not None)
    if not known or known[-1] <= FLOOR:
        return None
    median = (known[(len(known) - 1) // 2] + known[len(known) // 2]) / 2
    typical = max(FLOOR, 2 * median, _nearest_rank(known, 0.9) if len(known) >= 10 else 0)
    cap = STEP * math.ceil(typical / STEP)
    return cap if known[-1] > cap else None


def unit_chart(percents: Sequence[Decimal | None]) -> dict[str, object]:
    """The unit chart's axis end and, for each bar beyond it, its real value as people read it (400,00%)."""
    cap = axis_cap(percents)
    return {
        "children_cap": cap,
        "children_outliers": [
            percent_text(v) if cap is not None and v is not None and v > cap else None for v in percents
        ],
    }
