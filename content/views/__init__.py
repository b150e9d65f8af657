"""Browser pages of the content app: the library, buying committees, outreach and plays (one module each)."""

from . import committee, outreach, plays
from .library import content_form_view, content_list_view, content_performance_view

__all__ = ["committee", "content_form_view", "content_list_view", "content_performance_view", "outreach", "plays"]
