"""Procedure stage: which procedure a subsidiary's rules need, by region (no database: ``check`` uses it).

The mainland (no region, or CN) needs the 民主程序 (劳动合同法 第四条); Taiwan a 核備
(勞動基準法 第70條); Hong Kong, Macau and Singapore neither.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from policybook.source.project import Project

MAINLAND = ("", "CN")


def jurisdiction(region: str) -> str:
    """``consultation`` (mainland), ``filing`` (Taiwan) or ``""`` (nothing required)."""
    return "consultation" if region in MAINLAND else "filing" if region == "TW" else ""


def note(project: Project) -> str:
    """A note for ``check`` when mainland rules do not say whether the 民主程序 is required ("" otherwise)."""
    if project.procedure:
        return ""
    mainland = [s for s, sub in project.subsidiaries.items() if jurisdiction(sub.info.region) == "consultation"]
    if not mainland:
        return ""
    return (
        f"{project.source / 'handbook.yaml'}: note: {', '.join(sorted(mainland))} follow mainland law, where a rule "
        "binds only if made through the 民主程序 (劳动合同法 第四条); set procedure: required so that "
        "ack assign refuses a release without a closed consultation, or procedure: optional [procedure.unset]"
    )
