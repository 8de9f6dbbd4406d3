"""Procedure stage: ``procedure: required`` — what a release still lacks before it may be assigned.

Per subsidiary, by its region: the mainland (no region, or CN) needs a closed consultation
of the version (民主程序, 劳动合同法 第四条); Taiwan needs a 核備 record (勞動基準法 第70條);
Hong Kong, Macau and Singapore need neither (``rules.py``). Off unless the handbook sets it,
so existing ledgers and flows keep working.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from policybook.build import Checked
from policybook.diagnostics import Diagnostics
from policybook.model import Loc
from policybook.procedure.rules import jurisdiction
from policybook.procedure.schema import Consultation, Filing


def missing(session: Session, version: str, regions: dict[str, str]) -> list[str]:
    """What ``version`` lacks for each subsidiary (id → region); empty when nothing does."""
    consultation = session.scalar(select(Consultation).where(Consultation.version == version))
    filed = set(session.scalars(select(Filing.subsidiary).where(Filing.version == version)))
    out = []
    for sub_id, region in regions.items():
        need = jurisdiction(region)
        if need == "filing" and sub_id not in filed:
            out.append(f"{sub_id}: no 核備 record for version {version} (policybook consult filing -s {sub_id} …)")
        if need != "consultation":
            continue
        if consultation is None or sub_id not in consultation.subsidiary_ids:
            out.append(f"{sub_id}: version {version} was not put out for comment (policybook consult open …)")
        elif not consultation.meetings:
            out.append(f"{sub_id}: no 职工代表大会 / 全体职工 discussion recorded (policybook consult meeting …)")
        elif not consultation.closes:
            out.append(f"{sub_id}: the consultation on version {version} is not closed (policybook consult close …)")
    return out


def require(session: Session, checked: Checked, subs: list[str], diags: Diagnostics) -> None:
    """With ``procedure: required``, an error for each subsidiary whose procedure is incomplete."""
    project = checked.project
    if project.procedure != "required":
        return
    regions = {s: checked.documents[s].subsidiary.region for s in subs}
    loc = Loc(str(project.source / "handbook.yaml"))
    for problem in missing(session, project.meta.version, regions):
        diags.error(
            loc,
            f"procedure: required, but {problem}",
            "procedure.missing",
            "record what is missing, then run ack assign again",
        )
    diags.raise_if_errors()
