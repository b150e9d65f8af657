"""Signals of the accounts app, for later apps to follow account data without accounts importing them.

``accounts_changed(workspace_id, account_ids)``: deals or firmographics of these accounts changed in bulk (an
import), sent inside the transaction; receivers enqueue their work on commit (``abe.tasks.enqueue_on_commit``).
The engagement app rescores them (journey stages read won/open deals).
"""

from __future__ import annotations

from django.dispatch import Signal

accounts_changed = Signal()
