"""Lead and contact scores at a moment (SPEC §3): fit and behaviour from a person's engagements."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from graphsvc.algorithms.scoring import LeadScore, score_lead
from graphsvc.ranges import stored_time
from graphsvc.scores.documents import DocumentsInForce
from graphsvc.store.database import Database

__all__ = ["person_scores"]


async def person_scores(
    db: Database, ids: Sequence[str], documents: DocumentsInForce, moment: datetime
) -> list[LeadScore | None]:
    """The scores at ``moment`` of the contacts or leads of ``ids``, in order; None for an unknown id.

    One statement reads every person, its account and its engagements (only the fields the scoring
    model reads); the scoring model is the one of ``documents``. The API's ``Lead.score`` and
    ``Contact.score``, and ``graphsvc export leads``.
    """
    fields = [attribute.field for attribute in documents.scoring.demographic.attributes]
    rows = {row["id"]: row for row in await db.read("scores/person_engagements", ids=list(ids), fields=fields)}
    scores: list[LeadScore | None] = []
    for person in ids:
        row = rows.get(person)
        if row is None:
            scores.append(None)
            continue
        engagements = [
            {**e, "occurred_at": occurred_at}
            for e in row["engagements"]
            if (occurred_at := stored_time(e["at"])) is not None
        ]
        person_fields = dict(zip(fields, row["person"], strict=True))
        account = None if row["account"] is None else dict(zip(fields, row["account"], strict=True))
        scores.append(score_lead(documents.scoring, person_fields, account, engagements, moment))
    return scores
