"""Personal API tokens: each one named, made by one person, expiring, revocable, and stored only as the
SHA-256 of its value (docs/api.md). The value itself is shown once, on the page that made it."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import User
from tracker.extensions import Model
from tracker.models import UTCDateTime, utcnow


class ApiToken(Model):
    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)  # hex SHA-256 of the whole value
    hint: Mapped[str] = mapped_column(sa.String(12))  # the prefix and first characters, to tell tokens apart
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    def usable(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at and self.user.active

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} {self.name!r}>"
