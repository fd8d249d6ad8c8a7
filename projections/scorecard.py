"""Case-file review score (案卷评查, RULES.md K). The weights are data a province can change
(``OVERSIGHT_SCORE_FILE``: JSON with the same keys)."""

from __future__ import annotations

import json
import os
from typing import Any

DEFAULT_WEIGHTS: dict[str, Any] = {
    # Any one of these makes the file 不合格 (score 0).
    "veto": ["A1", "A2", "A5", "A7", "B4", "C1", "C3", "C5", "F1", "POWERS"],
    # A rule that vetoes only for some of its findings (message prefix): a decision never
    # served is a veto (K: "not served C13"); one served late or by e-mail without consent is
    # a content deduction.
    "veto_messages": {"C13": "decision not served"},
    # Content items: 80 points, deducted per rule found (at most the item's points each).
    "content": {
        "C2": 5,
        "B6": 5,
        "C4": 10,
        "C13": 10,
        "C6": 5,
        "C7": 10,
        "C8": 10,
        "C9": 5,
        "J1": 5,
        "D2": 5,
        "D6": 5,
        "B1": 10,
        "C10": 5,
        "C11": 5,
        "D1": 5,
    },
    # Form items: 20 points.
    "form": {"B5": 5, "A3": 5, "B2": 5, "B3": 5},
    # Grades: below "pass" 不合格, from "excellent" 优秀, 合格 between.
    "grades": {"pass": 60, "excellent": 90},
}


def weights() -> dict[str, Any]:
    path = os.environ.get("OVERSIGHT_SCORE_FILE")
    if not path:
        return DEFAULT_WEIGHTS
    with open(path, encoding="utf-8") as f:
        data: dict[str, Any] = json.load(f)
    return {**DEFAULT_WEIGHTS, **data}


def score(findings: list[dict[str, Any]], within_powers: bool) -> dict[str, Any]:
    w = weights()
    rules = {f["rule"] for f in findings}
    by_message = w.get("veto_messages", {})
    veto = sorted(
        {r for r in rules if r in w["veto"]}
        | {f["rule"] for f in findings if f["message"].startswith(by_message.get(f["rule"], "\0"))}
    )
    if not within_powers:
        veto.append("POWERS")
    deductions = [
        {"rule": r, "points": pts, "item": item}
        for item in ("content", "form")
        for r, pts in w[item].items()
        if r in rules
    ]
    total = 0 if veto else max(0, 100 - sum(d["points"] for d in deductions))
    return {
        "total": total,
        "veto": veto,
        "deductions": deductions,
        "grade": "不合格"
        if veto or total < w["grades"]["pass"]
        else "合格"
        if total < w["grades"]["excellent"]
        else "优秀",
    }
