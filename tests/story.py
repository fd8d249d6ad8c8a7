"""The audit scenario helper lives with the demo (scripts/demo.py), so the demo's planted
breaches and the tests' stories are built the same way."""

from __future__ import annotations

from scripts.demo import D0, FULL_CHECKLIST, h, t
from scripts.demo import UnitStory as Story

__all__ = ["D0", "FULL_CHECKLIST", "Story", "h", "t"]
