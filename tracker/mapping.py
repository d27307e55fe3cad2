"""Mappings remembered for next time: how a person chose to read a file's columns (per set of headings) and
the values of a small vocabulary, per kind of import. Shared by the imports;
the choosing itself stays in each one.

``load_mapping(kind, signature)`` gives the mapping saved last (a JSON object) or None; ``save_mapping(actor,
kind, signature, mapping)`` keeps it, audited, inside the caller's transaction (the caller commits, so a
failed import saves no mapping). ``headings_signature(headings)`` names a set of headings: the same headings
in any order, capitals or spacing (``spreadsheets.heading_key``) give the same signature. Kinds in use:
"plan.columns" (signature: the headings') and "plan.partners" (signature "words": the partner vocabulary
leaders have taught).
"""

import hashlib
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from tracker import audit
from tracker.extensions import Model, db
from tracker.models import UTCDateTime, utcnow
from tracker.spreadsheets import heading_key


class SavedMapping(Model):
    """The last mapping chosen for one kind of import and one set of headings (or one vocabulary)."""

    __tablename__ = "saved_mapping"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    signature: Mapped[str] = mapped_column(sa.String(64))
    mapping: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    saved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))  # None: the command line
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (sa.UniqueConstraint("kind", "signature", name="uq_saved_mapping_kind_signature"),)


def headings_signature(headings: Iterable[Any]) -> str:
    """The SHA-256 of a set of headings as compared: order, capitals and runs of spaces do not matter."""
    keys = sorted({heading_key(heading) for heading in headings} - {""})
    return hashlib.sha256("\x1f".join(keys).encode()).hexdigest()


def load_mapping(kind: str, signature: str) -> dict[str, Any] | None:
    return db.session.scalar(
        sa.select(SavedMapping.mapping).where(SavedMapping.kind == kind, SavedMapping.signature == signature)
    )


def save_mapping(actor: Any, kind: str, signature: str, mapping: dict[str, Any]) -> None:
    """Keep `mapping` as the one to suggest next time, with an audit event;
    nothing when it is already the one kept."""
    saved = db.session.scalar(
        sa.select(SavedMapping).where(SavedMapping.kind == kind, SavedMapping.signature == signature)
    )
    if saved is not None and saved.mapping == mapping:
        return
    before = {"mapping": saved.mapping} if saved is not None else None
    if saved is None:
        saved = SavedMapping(kind=kind, signature=signature)
        db.session.add(saved)
    saved.mapping, saved.saved_by_id, saved.saved_at = dict(mapping), getattr(actor, "id", None), utcnow()
    db.session.flush()
    audit.record(
        actor, "saved_mapping.saved", saved, before=before, after={"kind": kind, "mapping": saved.mapping}
    )
