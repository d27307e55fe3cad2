"""API tokens: made on the account page and shown once, stored only as a hash, named, expiring, revocable,
scoped to the maker's role as it is now, refused once the maker is deactivated, and audited (docs/api.md)."""

import hashlib
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests import factories
from tracker import audit
from tracker.api import tokens
from tracker.api.models import ApiToken
from tracker.audit import AuditEvent
from tracker.dates import today
from tracker.extensions import db
from tracker.models import Role

TOKEN = re.compile(r"irt_[A-Za-z0-9_-]{43}")


def _make(client, **fields):
    return client.post("/account/api-tokens", data={"name": "Board report", "lasts": "90", **fields})


def _read(app, value, path="/api/v1/actions", how="header"):
    client = app.test_client()
    if how == "key":
        return client.get(f"{path}?key={value}")
    return client.get(path, headers={"Authorization": f"Bearer {value}"})


def _verbs() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEvent.verb).order_by(AuditEvent.id)))


def test_a_token_is_shown_once_and_stored_only_as_its_hash(app, viewer_client):
    page = _make(viewer_client).get_data(as_text=True)
    [value] = TOKEN.findall(page)
    assert "It is shown only this once" in page
    token = db.session.scalars(sa.select(ApiToken)).one()
    assert token.token_hash == hashlib.sha256(value.encode()).hexdigest()
    stored = [str(getattr(token, column.key)) for column in ApiToken.__table__.columns]
    assert not any(value in column for column in stored), "the value itself is stored nowhere"
    assert token.hint == value[:8] and token.name == "Board report"
    again = viewer_client.get("/account/api-tokens").get_data(as_text=True)
    assert value not in again and TOKEN.search(again) is None
    assert "Board report" in again and value[:8] in again and "Not used yet" in again
    assert _read(app, value).status_code == 200


def test_making_and_revoking_are_audited_and_do_not_move_the_data_version(app, viewer_client):
    before = audit.data_version()
    value = TOKEN.search(_make(viewer_client).get_data(as_text=True)).group(0)
    token = db.session.scalars(sa.select(ApiToken)).one()
    created = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.verb == "api_token.created")).one()
    assert created.entity_id == token.id and created.actor_id == viewer_client.user.id
    assert value not in str(created.after) and token.token_hash not in str(created.after)
    response = viewer_client.post(f"/account/api-tokens/{token.id}/revoke", follow_redirects=True)
    assert "Revoked Board report: it no longer works." in response.get_data(as_text=True)
    assert _verbs() == ["api_token.created", "api_token.revoked"]
    assert audit.data_version() == before
    refused = _read(app, value)
    assert refused.status_code == 401 and "revoked" in refused.get_json()["detail"]


def test_nobody_revokes_someone_elses_token(app, client_as):
    owner = factories.UserFactory(role=Role.VIEWER)
    token, value = tokens.make_token(owner, "Theirs", today() + timedelta(days=30))
    for who in (Role.LEADER, Role.OFFICER):
        assert client_as(who).post(f"/account/api-tokens/{token.id}/revoke").status_code == 404
    assert _read(app, value).status_code == 200


def test_a_token_works_until_the_end_of_its_last_day_then_not(app, monkeypatch):
    maker = factories.UserFactory(role=Role.OFFICER)
    token, value = tokens.make_token(maker, "Short", today() + timedelta(days=1))
    assert _read(app, value).status_code == 200
    monkeypatch.setattr(tokens, "utcnow", lambda: token.expires_at - timedelta(seconds=1))
    assert _read(app, value).status_code == 200
    monkeypatch.setattr(tokens, "utcnow", lambda: token.expires_at)
    refused = _read(app, value)
    assert refused.status_code == 401
    assert (
        refused.get_json()["detail"] == "This API token has expired. Make a new one on the API tokens page."
    )


def test_a_deactivated_makers_tokens_stop_and_a_role_change_applies_at_once(app):
    maker = factories.UserFactory(role=Role.VIEWER)
    _, value = tokens.make_token(maker, "Report", today() + timedelta(days=30))
    assert _read(app, value).status_code == 200
    maker.role = Role.ADMIN  # administrators run the system, not the plan
    db.session.commit()
    assert _read(app, value).status_code == 403
    maker.role = Role.LEADER
    db.session.commit()
    assert _read(app, value).status_code == 200
    maker.active = False
    db.session.commit()
    refused = _read(app, value)
    assert refused.status_code == 401
    assert refused.get_json()["detail"] == "The person who made this API token can no longer sign in."


def test_unknown_missing_and_badly_sent_tokens_are_401_problems(app):
    maker = factories.UserFactory(role=Role.VIEWER)
    _, value = tokens.make_token(maker, "Report", today() + timedelta(days=30))
    client = app.test_client()
    cases = {
        "no token": client.get("/api/v1/findings"),
        "unknown": client.get("/api/v1/findings", headers={"Authorization": "Bearer irt_" + "x" * 43}),
        "not bearer": client.get("/api/v1/findings", headers={"Authorization": f"Basic {value}"}),
        "cut short": client.get(f"/api/v1/findings?key={value[:-1]}"),
    }
    for name, response in cases.items():
        assert response.status_code == 401, name
        assert response.mimetype == "application/problem+json", name
        assert response.headers["WWW-Authenticate"] == 'Bearer realm="api"'
        assert response.get_json()["status"] == 401 and response.get_json()["detail"], name
    assert _read(app, value, "/api/v1/findings", how="key").status_code == 200


def test_a_signed_in_session_does_not_open_the_api(leader_client):
    response = leader_client.get("/api/v1/actions")
    assert response.status_code == 401 and response.mimetype == "application/problem+json"


def test_use_is_recorded_once_per_window_and_every_time_when_asked(app, monkeypatch):
    maker = factories.UserFactory(role=Role.OFFICER)
    token, value = tokens.make_token(maker, "Report", today() + timedelta(days=30))
    for _ in range(3):
        assert _read(app, value).status_code == 200
    used = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.verb == "api_token.used")).all()
    assert len(used) == 1
    assert used[0].actor_id == maker.id and used[0].after == {"path": "/api/v1/actions", "by": "header"}
    db.session.refresh(token)
    assert token.last_used_at is not None
    monkeypatch.setitem(app.config, "TRACKER_API_USE_RECORDED_SECONDS", 0)
    _read(app, value, "/api/v1/findings", how="key")
    _read(app, value, "/api/v1/inspections")
    after = db.session.scalars(
        sa.select(AuditEvent.after).where(AuditEvent.verb == "api_token.used").order_by(AuditEvent.id)
    ).all()
    assert after[1:] == [
        {"path": "/api/v1/findings", "by": "key"},
        {"path": "/api/v1/inspections", "by": "header"},
    ]
    assert value not in str(after)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": ""}, "Enter a name for the token."),
        ({"lasts": "day"}, "Enter the last day the token works."),
        ({"lasts": "7"}, "Not a valid choice."),
    ],
)
def test_the_form_says_what_is_wrong_and_keeps_what_was_typed(viewer_client, fields, message):
    page = _make(viewer_client, **{"name": "Kept name", **fields}).get_data(as_text=True)
    assert "There is a problem" in page and message in page
    if fields.get("name", "x"):
        assert 'value="Kept name"' in page
    assert db.session.scalar(sa.select(sa.func.count(ApiToken.id))) == 0


def test_a_token_lasts_a_year_at_most(viewer_client):
    def on(day: date) -> dict:
        return {"lasts": "day", "expires_on": [str(day.day), str(day.month), str(day.year)]}

    page = _make(viewer_client, **on(today() + timedelta(days=366))).get_data(as_text=True)
    assert "A token can last a year at most: choose an earlier last day." in page
    page = _make(viewer_client, **on(today())).get_data(as_text=True)
    assert "The last day must be after today." in page
    page = _make(viewer_client, **on(today() + timedelta(days=365))).get_data(as_text=True)
    assert TOKEN.search(page)


def test_the_same_form_sent_twice_makes_one_token(viewer_client):
    key = "a" * 32
    first = _make(viewer_client, form_key=key)
    second = _make(viewer_client, form_key=key)
    assert TOKEN.search(first.get_data(as_text=True))
    assert TOKEN.search(second.get_data(as_text=True)) is None  # the value is never shown again
    assert db.session.scalar(sa.select(sa.func.count(ApiToken.id))) == 1


def test_expiry_is_the_end_of_the_last_day_in_london():
    assert tokens.expiry_moment(date(2027, 7, 1)).isoformat() == "2027-07-01T23:00:00+00:00"
    assert tokens.expiry_moment(date(2027, 1, 1)).isoformat() == "2027-01-02T00:00:00+00:00"


def test_a_tokens_name_is_text_wherever_it_shows(viewer_client):
    _make(viewer_client, name="<b>Board</b> report")
    page = viewer_client.get("/account/api-tokens").get_data(as_text=True)
    assert "<b>Board</b>" not in page
    assert 'Revoke<span class="govuk-visually-hidden"> &lt;b&gt;Board&lt;/b&gt; report</span>' in page
