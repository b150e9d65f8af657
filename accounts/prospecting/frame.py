"""Load a workspace's accounts into a pandas DataFrame, the input of fit scoring, prediction and tiering."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from abe.models import Workspace

from ..models import Account

FRAME_FIELDS = [
    "id",
    "industry",
    "country",
    "region",
    "city",
    "employees",
    "annual_revenue",
    "founded_year",
    "ownership_type",
    "number_of_offices",
    "technologies",
    "lifecycle",
    "trigger_event_date",
    "fit_score",
    "priority",
    "tier",
    "tier_locked",
]


def _techs(value: Any) -> frozenset[str]:
    if isinstance(value, str):  # a raw JSON string (raw cursor on some backends)
        value = json.loads(value or "[]")
    return frozenset(str(t) for t in (value or []))


def accounts_frame(rows: list[tuple] | list[dict], *, today: date | None = None) -> pd.DataFrame:
    """A DataFrame over account rows (``FRAME_FIELDS`` order), with typed numeric columns."""
    frame = (
        pd.DataFrame.from_records(rows, columns=FRAME_FIELDS)
        if rows and isinstance(rows[0], tuple)
        else (pd.DataFrame(rows, columns=FRAME_FIELDS))
    )
    for column in ("employees", "annual_revenue", "founded_year", "number_of_offices", "fit_score", "priority"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    for column in ("industry", "country", "region", "city", "ownership_type", "lifecycle", "tier"):
        frame[column] = frame[column].fillna("").astype(object)
    frame["technologies"] = [_techs(v) for v in frame["technologies"]]
    today = today or date.today()
    frame["trigger_event_age_days"] = [
        float((today - d).days) if d is not None and not pd.isna(d) else np.nan for d in frame["trigger_event_date"]
    ]
    frame["tier_locked"] = frame["tier_locked"].astype(bool)
    return frame


def workspace_accounts_frame(*, workspace: Workspace, ids: list[int] | None = None) -> pd.DataFrame:
    qs = Account.objects.for_workspace(workspace).order_by("id")
    if ids is not None:
        qs = qs.filter(id__in=ids)
    return accounts_frame(list(qs.values_list(*FRAME_FIELDS)))
