"""The demo workspace: shared context for each app's ``demo.build(ctx)`` step (see ``load_demo``)."""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from .models import Membership, Role, Workspace

DEMO_SLUG = "demo"
DEMO_USERS = [
    # username, first, last, role
    ("admin", "Alex", "Admin", Role.ADMIN),
    ("marketing", "Maria", "Marketing", Role.MARKETING),
    ("sales", "Sam", "Sales", Role.SALES),
    ("viewer", "Vera", "Viewer", Role.VIEWER),
    ("ana.ae", "Ana", "Ortega", Role.SALES),
    ("ben.ae", "Ben", "Okafor", Role.SALES),
    ("carla.sdr", "Carla", "Rossi", Role.SALES),
]


@dataclass
class DemoContext:
    workspace: Workspace
    rng: random.Random
    users: dict[str, User]
    today: date
    now: datetime
    data: dict[str, Any] = field(default_factory=dict[str, Any])  # what one step leaves for the next (ids, lists)
    # The demo's own texts (personas, content, templates, rules): "en", or "es" for ``load_demo --language es``.
    language: str = "en"
    # Steps report how far they are (0-1 of the step) for the loading page; a no-op unless ``load_demo --progress``.
    progress: Callable[[float], None] = field(default=lambda fraction: None)


def demo_password() -> str:
    return os.environ.get("ABE_DEMO_PASSWORD", "demo")


@transaction.atomic
def demo_workspace_create(*, seed: int = 42) -> DemoContext:
    workspace = Workspace.objects.create(name="Demo Co", slug=DEMO_SLUG)
    User = get_user_model()
    users = {}
    # One password hash for every demo user: hashing is deliberately slow (a second or more each under load).
    hashed = make_password(demo_password())
    for username, first, last, role in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create(
                username=username,
                password=hashed,
                first_name=first,
                last_name=last,
                email=f"{username}@demo.example",
                is_staff=False,
                is_superuser=False,
            )
        Membership.objects.create(user=user, workspace=workspace, role=role)
        users[username] = user
    now = timezone.now()
    return DemoContext(workspace=workspace, rng=random.Random(seed), users=users, today=now.date(), now=now)
