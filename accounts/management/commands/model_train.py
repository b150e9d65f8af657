"""``manage.py model_train --workspace SLUG [--activate]``: train a win model version and say whether it is active.

The last line of standard output is JSON: ``version, activated, beats_baselines, auc, base_rate_auc,
fit_only_auc, auc_margin_low, auc_margin_high, n_train, n_test, reason``. A model is activated only when it
beats both baselines on the time-ordered holdout (see docs/scoring.md); ``--activate`` activates it anyway.
Exit status 0 when a version was trained (activated or not), 2 when it could not be (too few outcomes).
"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandParser

from abe.models import Workspace
from accounts.prospecting.services import model_train


class Command(BaseCommand):
    help = "Train the predictive win model of a workspace; activate it only when it beats the baselines."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workspace", required=True, help="Workspace slug")
        parser.add_argument("--activate", action="store_true", help="Activate even if not better than baselines")

    def handle(self, *args: Any, workspace: str, activate: bool, **options: Any) -> None:
        ws = Workspace.objects.filter(slug=workspace).first()
        if ws is None:
            self.stderr.write(f"model_train: No workspace with the slug “{workspace}”.")
            sys.exit(2)
        try:
            model = model_train(workspace=ws, activate=True if activate else None)
        except ValidationError as exc:
            self.stderr.write(f"model_train: {' '.join(exc.messages)}")
            sys.exit(2)
        comparison = model.metrics["comparison"]
        self.stdout.write(model.verdict)
        self.stdout.write(
            json.dumps(
                {
                    "version": model.number,
                    "activated": model.is_active,
                    "beats_baselines": model.beats_baselines,
                    "auc": comparison["auc"],
                    "base_rate_auc": comparison["base_rate_auc"],
                    "fit_only_auc": comparison["fit_only_auc"],
                    "auc_margin_low": comparison["auc_margin_low"],
                    "auc_margin_high": comparison["auc_margin_high"],
                    "n_train": model.n_train,
                    "n_test": model.n_test,
                    "reason": comparison["reason"],
                }
            )
        )
