"""Pareto ranking of accounts by value, from plain numbers (no database): rank, share, cumulative share."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass
class ParetoRow:
    account_id: int
    value: float
    rank: int = 0
    share: float = 0.0
    cumulative_share: float = 0.0
    in_top20: bool = False
    within_80: bool = False


@dataclass
class ParetoResult:
    rows: list[ParetoRow]
    total: float
    top20_count: int
    top20_share: float
    accounts_for_80: int


def pareto_rank(values: dict[int, float]) -> ParetoResult:
    """Rank accounts by value (ties by id); the top 20% is ``ceil(0.2 * n)`` accounts with a positive value.

    ``within_80`` marks the accounts that together make up the first 80% of the value (the account that
    crosses the line included), which is what the 80% line on the curve shows.
    """
    positive = sorted(((a, v) for a, v in values.items() if v > 0), key=lambda item: (-item[1], item[0]))
    total = float(sum(v for _, v in positive))
    top_n = math.ceil(0.2 * len(positive)) if positive else 0
    rows: list[ParetoRow] = []
    running = 0.0
    accounts_for_80 = 0
    for rank, (account_id, value) in enumerate(positive, start=1):
        before = running
        running += value
        row = ParetoRow(
            account_id=account_id,
            value=float(value),
            rank=rank,
            share=value / total if total else 0.0,
            cumulative_share=running / total if total else 0.0,
            in_top20=rank <= top_n,
            within_80=before / total < 0.8 if total else False,
        )
        if row.within_80:
            accounts_for_80 = rank
        rows.append(row)
    top20 = sum(r.value for r in rows[:top_n])
    return ParetoResult(
        rows=rows,
        total=total,
        top20_count=top_n,
        top20_share=top20 / total if total else 0.0,
        accounts_for_80=accounts_for_80,
    )
