"""The role-by-route table: every route, every role, the answer each one gets.

A route added to the app but not to this table fails the suite, and so does a route
left out of ROUTE_ACCESS in tracker/permissions.py (it would answer 403 to everyone).
"""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests import factories
from tracker import audit
from tracker.api.tokens import make_token
from tracker.auth.models import SsoRequiredDomain, UserSession
from tracker.auth.sessions import open_session_record
from tracker.extensions import db
from tracker.frameworks.models import CriterionLink, LinkKind
from tracker.information_requests.models import InformationRequest, InspectionPeriod, RequestCategory
from tracker.models import Role, utcnow
from tracker.permissions import ROUTE_ACCESS
from tracker.reminders.models import TeamsChannel

ANON, VIEWER, OFFICER, LEADER, ADMIN = "anonymous", Role.VIEWER, Role.OFFICER, Role.LEADER, Role.ADMIN
WHO = [ANON, VIEWER, OFFICER, LEADER, ADMIN]

# method, url template, endpoint, then the status for anonymous, viewer, officer, leader, admin.
# 302 for anonymous means "sent to sign in"; a POST with an empty form re-renders it with errors (200).
TABLE = [
    ("GET", "/healthz", "main.healthz", 200, 200, 200, 200, 200),
    ("GET", "/accessibility", "main.accessibility", 200, 200, 200, 200, 200),
    ("GET", "/login", "auth.login", 200, 302, 302, 302, 302),
    ("POST", "/login", "auth.login", 200, 302, 302, 302, 302),
    ("POST", "/logout", "auth.logout", 302, 302, 302, 302, 302),
    # single sign-on is not set up in the suite: starting it or answering it is 404 (tests/http/test_sso.py)
    ("GET", "/login/sso", "auth.sso_start", 404, 302, 302, 302, 302),
    ("GET", "/login/sso/callback", "auth.sso_callback", 404, 404, 404, 404, 404),
    ("GET", "/signed-out", "auth.signed_out", 200, 200, 200, 200, 200),
    # the code step without a correct password first sends everyone back to sign in (signed-in people to /)
    ("GET", "/login/code", "auth.sign_in_code", 302, 302, 302, 302, 302),
    ("POST", "/login/code", "auth.sign_in_code", 302, 302, 302, 302, 302),
    ("GET", "/login/recovery-code", "auth.sign_in_recovery_code", 302, 302, 302, 302, 302),
    ("POST", "/login/recovery-code", "auth.sign_in_recovery_code", 302, 302, 302, 302, 302),
    ("GET", "/account/two-step", "auth.two_step", 302, 200, 200, 200, 200),
    ("POST", "/account/two-step", "auth.two_step", 302, 200, 200, 200, 200),
    # set-up starts with the password: an empty form is shown again with its error
    ("POST", "/account/two-step/start", "auth.start_two_step", 302, 200, 200, 200, 200),
    # nobody here has two-step verification on, so there is nothing to turn off and no
    # recovery codes: back to set-up
    ("GET", "/account/two-step/recovery-codes", "auth.recovery_codes", 302, 302, 302, 302, 302),
    ("POST", "/account/two-step/recovery-codes", "auth.recovery_codes", 302, 302, 302, 302, 302),
    ("POST", "/account/two-step/off", "auth.turn_off_two_step", 302, 302, 302, 302, 302),
    ("GET", "/account/password", "auth.change_password", 302, 200, 200, 200, 200),
    ("POST", "/account/password", "auth.change_password", 302, 200, 200, 200, 200),
    ("GET", "/account/sessions", "auth.sessions", 302, 200, 200, 200, 200),
    # {session} is someone else's: nobody may end it from their own page (404, as if it did not exist)
    ("POST", "/account/sessions/{session}/end", "auth.end_session", 302, 404, 404, 404, 404),
    ("POST", "/account/sessions/end-others", "auth.end_other_sessions", 302, 302, 302, 302, 302),
    ("GET", "/", "main.index", 302, 200, 200, 200, 302),
    ("GET", "/findings", "plan.findings", 302, 200, 200, 200, 403),
    ("GET", "/findings/{finding}", "plan.finding", 302, 200, 200, 200, 403),
    ("GET", "/findings/{finding}/history", "plan.finding_history", 302, 200, 200, 200, 403),
    ("GET", "/findings/new", "plan.create_finding", 302, 403, 403, 200, 403),
    ("POST", "/findings/new", "plan.create_finding", 302, 403, 403, 200, 403),
    ("GET", "/findings/{finding}/edit", "plan.edit_finding", 302, 403, 403, 200, 403),
    ("POST", "/findings/{finding}/edit", "plan.edit_finding", 302, 403, 403, 200, 403),
    ("POST", "/findings/{finding}/archive", "plan.archive_finding", 302, 403, 403, 302, 403),
    ("GET", "/inspections", "plan.inspections", 302, 200, 200, 200, 403),
    ("GET", "/inspections/cycle", "plan.inspection_cycle", 302, 200, 200, 200, 403),
    ("GET", "/inspections/new", "plan.create_inspection", 302, 403, 403, 200, 403),
    ("POST", "/inspections/new", "plan.create_inspection", 302, 403, 403, 200, 403),
    ("GET", "/inspections/{inspection}/edit", "plan.edit_inspection", 302, 403, 403, 200, 403),
    ("POST", "/inspections/{inspection}/edit", "plan.edit_inspection", 302, 403, 403, 200, 403),
    ("POST", "/inspections/{inspection}/archive", "plan.archive_inspection", 302, 403, 403, 302, 403),
    ("GET", "/themes", "plan.themes", 302, 200, 200, 200, 403),
    ("GET", "/themes/new", "plan.create_theme", 302, 403, 403, 200, 403),
    ("POST", "/themes/new", "plan.create_theme", 302, 403, 403, 200, 403),
    ("GET", "/themes/{theme}/edit", "plan.edit_theme", 302, 403, 403, 200, 403),
    # an empty POST to an edit form reads as "no change": the theme is saved as it was
    ("POST", "/themes/{theme}/edit", "plan.edit_theme", 302, 403, 403, 302, 403),
    ("GET", "/actions", "plan.actions", 302, 200, 200, 200, 403),
    ("GET", "/actions/mine", "plan.my_actions", 302, 200, 200, 200, 403),
    ("GET", "/actions/{action}", "plan.action", 302, 200, 200, 200, 403),
    ("GET", "/actions/{action}/history", "plan.action_history", 302, 200, 200, 200, 403),
    # only a leader may redact a history entry; an empty POST re-renders the form asking for the reason
    (
        "GET",
        "/actions/{action}/history/{action_event}/redact?side=after&field=title",
        "plan.redact_history",
        302,
        403,
        403,
        200,
        403,
    ),
    (
        "POST",
        "/actions/{action}/history/{action_event}/redact?side=after&field=title",
        "plan.redact_history",
        302,
        403,
        403,
        200,
        403,
    ),
    ("GET", "/actions/new", "plan.create_action", 302, 403, 403, 200, 403),
    ("POST", "/actions/new", "plan.create_action", 302, 403, 403, 200, 403),
    ("GET", "/actions/{action}/edit", "plan.edit_action", 302, 403, 403, 200, 403),
    ("POST", "/actions/{action}/edit", "plan.edit_action", 302, 403, 403, 200, 403),
    ("POST", "/actions/{action}/archive", "plan.archive_action", 302, 403, 403, 302, 403),
    ("POST", "/actions/{action}/rag", "plan.override_rag", 302, 403, 403, 302, 403),
    # the officer here neither owns nor contributes to the action; owners are tested below
    ("GET", "/actions/{action}/updates/new", "plan.add_update", 302, 403, 403, 200, 403),
    ("POST", "/actions/{action}/updates/new", "plan.add_update", 302, 403, 403, 200, 403),
    ("GET", "/actions/import", "plan.import_plan", 302, 403, 403, 200, 403),
    ("POST", "/actions/import", "plan.import_plan", 302, 403, 403, 200, 403),
    ("POST", "/actions/import/confirm", "plan.confirm_import", 302, 403, 403, 302, 403),
    ("GET", "/actions/import/template.csv", "plan.import_template", 302, 403, 403, 200, 403),
    ("GET", "/evidence", "evidence.index", 302, 200, 200, 200, 403),
    ("GET", "/evidence/gaps", "evidence.gaps", 302, 200, 200, 200, 403),
    ("GET", "/evidence/mine", "evidence.mine", 302, 403, 200, 200, 403),
    ("GET", "/evidence/review", "evidence.review_queue", 302, 403, 403, 200, 403),
    ("GET", "/evidence/new", "evidence.create", 302, 403, 200, 200, 403),
    ("POST", "/evidence/new", "evidence.create", 302, 403, 200, 200, 403),
    # {evidence} is internal evidence added by another officer: everyone on the plan may see it,
    # only leaders (and its uploader, tested in test_evidence_access) may change it
    ("GET", "/evidence/{evidence}", "evidence.detail", 302, 200, 200, 200, 403),
    ("GET", "/evidence/{evidence}/files/{file}", "evidence.download", 302, 200, 200, 200, 403),
    ("GET", "/evidence/{evidence}/edit", "evidence.edit", 302, 403, 403, 200, 403),
    ("POST", "/evidence/{evidence}/edit", "evidence.edit", 302, 403, 403, 200, 403),
    ("GET", "/evidence/{evidence}/versions/new", "evidence.add_version", 302, 403, 403, 200, 403),
    ("POST", "/evidence/{evidence}/versions/new", "evidence.add_version", 302, 403, 403, 200, 403),
    ("POST", "/evidence/{evidence}/review", "evidence.review", 302, 403, 403, 200, 403),
    ("POST", "/evidence/{evidence}/resubmit", "evidence.resubmit", 302, 403, 403, 302, 403),
    ("POST", "/evidence/{evidence}/archive", "evidence.archive", 302, 403, 403, 302, 403),
    ("GET", "/measures", "measures.index", 302, 200, 200, 200, 403),
    ("GET", "/measures/{measure}", "measures.detail", 302, 200, 200, 200, 403),
    ("GET", "/measures/new", "measures.create", 302, 403, 403, 200, 403),
    ("POST", "/measures/new", "measures.create", 302, 403, 403, 200, 403),
    ("GET", "/measures/{measure}/edit", "measures.edit", 302, 403, 403, 200, 403),
    ("POST", "/measures/{measure}/edit", "measures.edit", 302, 403, 403, 200, 403),
    # the officer here does not own the measure; owners are tested in test_measures
    ("GET", "/measures/{measure}/readings/new", "measures.add_reading", 302, 403, 403, 200, 403),
    ("POST", "/measures/{measure}/readings/new", "measures.add_reading", 302, 403, 403, 200, 403),
    (
        "GET",
        "/measures/{measure}/readings/{reading}/edit",
        "measures.correct_reading",
        302,
        403,
        403,
        200,
        403,
    ),
    (
        "POST",
        "/measures/{measure}/readings/{reading}/edit",
        "measures.correct_reading",
        302,
        403,
        403,
        200,
        403,
    ),
    ("GET", "/measures/{measure}/readings/import", "measures.import_readings", 302, 403, 403, 200, 403),
    ("POST", "/measures/{measure}/readings/import", "measures.import_readings", 302, 403, 403, 200, 403),
    ("GET", "/surveys", "surveys.index", 302, 200, 200, 200, 403),
    ("GET", "/surveys/{survey}", "surveys.detail", 302, 200, 200, 200, 403),
    ("GET", "/surveys/new", "surveys.create", 302, 403, 403, 200, 403),
    ("POST", "/surveys/new", "surveys.create", 302, 403, 403, 200, 403),
    ("GET", "/surveys/{survey}/edit", "surveys.edit", 302, 403, 403, 200, 403),
    ("POST", "/surveys/{survey}/edit", "surveys.edit", 302, 403, 403, 200, 403),
    ("GET", "/surveys/{survey}/comments", "surveys.comments", 302, 200, 200, 200, 403),
    ("GET", "/surveys/{survey}/comments/{comment}", "surveys.tag_comment", 302, 403, 403, 200, 403),
    # an empty form is valid here: it takes every tag off, then redirects
    ("POST", "/surveys/{survey}/comments/{comment}", "surveys.tag_comment", 302, 403, 403, 302, 403),
    (
        "POST",
        "/surveys/{survey}/comments/{comment}/restricted",
        "surveys.restrict_comment",
        302,
        403,
        403,
        302,
        403,
    ),
    ("GET", "/surveys/{survey}/responses/new", "surveys.create_response", 302, 403, 403, 200, 403),
    ("POST", "/surveys/{survey}/responses/new", "surveys.create_response", 302, 403, 403, 200, 403),
    ("GET", "/surveys/{survey}/responses/{response}/edit", "surveys.edit_response", 302, 403, 403, 200, 403),
    ("POST", "/surveys/{survey}/responses/{response}/edit", "surveys.edit_response", 302, 403, 403, 200, 403),
    ("GET", "/surveys/{survey}/you-said-we-did", "surveys.published", 302, 200, 200, 200, 403),
    ("GET", "/surveys/{survey}/you-said-we-did.docx", "surveys.export_responses", 302, 200, 200, 200, 403),
    ("GET", "/surveys/{survey}/import", "surveys.import_replies", 302, 403, 200, 200, 403),
    ("POST", "/surveys/{survey}/import", "surveys.import_replies", 302, 403, 200, 200, 403),
    ("POST", "/surveys/{survey}/import/confirm", "surveys.confirm_import", 302, 403, 302, 302, 403),
    ("POST", "/readiness/snapshot", "readiness.snapshot", 302, 403, 403, 302, 403),
    ("GET", "/exports", "exports.index", 302, 200, 200, 200, 403),
    ("POST", "/exports", "exports.index", 302, 200, 200, 200, 403),
    # a GET of an export's address shows what it holds with a Download button;
    # the button's POST makes the file
    ("GET", "/exports/summary.pdf", "exports.summary", 302, 200, 200, 200, 403),
    ("POST", "/exports/summary.pdf", "exports.summary", 302, 200, 200, 200, 403),
    ("GET", "/exports/summary.docx", "exports.summary", 302, 200, 200, 200, 403),
    ("POST", "/exports/summary.docx", "exports.summary", 302, 200, 200, 200, 403),
    ("GET", "/exports/summary.xlsx", "exports.summary", 302, 200, 200, 200, 403),
    ("POST", "/exports/summary.xlsx", "exports.summary", 302, 200, 200, 200, 403),
    ("GET", "/exports/pack.zip", "exports.pack", 302, 200, 200, 200, 403),
    ("POST", "/exports/pack.zip", "exports.pack", 302, 200, 200, 200, 403),
    ("GET", "/exports/actions.csv", "exports.list_csv", 302, 200, 200, 200, 403),
    ("POST", "/exports/actions.csv", "exports.list_csv", 302, 200, 200, 200, 403),
    ("GET", "/exports/evidence.csv", "exports.list_csv", 302, 200, 200, 200, 403),
    ("POST", "/exports/evidence.csv", "exports.list_csv", 302, 200, 200, 200, 403),
    ("GET", "/exports/findings.csv", "exports.list_csv", 302, 200, 200, 200, 403),
    ("POST", "/exports/findings.csv", "exports.list_csv", 302, 200, 200, 200, 403),
    ("GET", "/exports/measures.csv", "exports.list_csv", 302, 200, 200, 200, 403),
    ("POST", "/exports/measures.csv", "exports.list_csv", 302, 200, 200, 200, 403),
    # only a leader may include restricted evidence in an export, or be offered it
    ("GET", "/exports/summary.pdf?restricted=1", "exports.summary", 302, 403, 403, 200, 403),
    ("POST", "/exports/summary.pdf?restricted=1", "exports.summary", 302, 403, 403, 200, 403),
    ("GET", "/exports/pack.zip?restricted=1", "exports.pack", 302, 403, 403, 200, 403),
    ("POST", "/exports/pack.zip?restricted=1", "exports.pack", 302, 403, 403, 200, 403),
    ("GET", "/exports/evidence.csv?restricted=1", "exports.list_csv", 302, 403, 403, 200, 403),
    ("POST", "/exports/evidence.csv?restricted=1", "exports.list_csv", 302, 403, 403, 200, 403),
    ("GET", "/criteria", "frameworks.index", 302, 200, 200, 200, 403),
    ("GET", "/criteria/{criterion}", "frameworks.detail", 302, 200, 200, 200, 403),
    # only leaders link records to criteria: first the kind,
    # then the record (an empty POST shows the form's error)
    ("GET", "/criteria/{criterion}/links/new", "frameworks.create_link", 302, 403, 403, 200, 403),
    ("GET", "/criteria/{criterion}/links/new?kind=action", "frameworks.create_link", 302, 403, 403, 200, 403),
    (
        "POST",
        "/criteria/{criterion}/links/new?kind=action",
        "frameworks.create_link",
        302,
        403,
        403,
        200,
        403,
    ),
    (
        "POST",
        "/criteria/{criterion}/links/{criterion_link}/remove",
        "frameworks.remove_link",
        302,
        403,
        403,
        302,
        403,
    ),
    ("GET", "/self-evaluation", "sef.index", 302, 200, 200, 200, 403),
    ("GET", "/self-evaluation/{criterion}", "sef.detail", 302, 200, 200, 200, 403),
    ("GET", "/self-evaluation/{criterion}/edit", "sef.edit", 302, 403, 200, 200, 403),
    ("POST", "/self-evaluation/{criterion}/edit", "sef.edit", 302, 403, 200, 200, 403),
    # an empty form: the statement's page again with its error, for a leader
    ("POST", "/self-evaluation/{criterion}/sign-off", "sef.sign_off", 302, 403, 403, 200, 403),
    ("GET", "/exports/self-evaluation", "exports.sef_index", 302, 200, 200, 200, 403),
    ("POST", "/exports/self-evaluation", "exports.sef_index", 302, 200, 200, 200, 403),
    ("GET", "/exports/self-evaluation.docx", "exports.sef", 302, 200, 200, 200, 403),
    ("POST", "/exports/self-evaluation.docx", "exports.sef", 302, 200, 200, 200, 403),
    ("GET", "/exports/self-evaluation.pdf", "exports.sef", 302, 200, 200, 200, 403),
    ("POST", "/exports/self-evaluation.pdf", "exports.sef", 302, 200, 200, 200, 403),
    ("POST", "/exports/self-evaluation.docx?restricted=1", "exports.sef", 302, 403, 403, 200, 403),
    ("GET", "/requests", "requests.index", 302, 200, 200, 200, 403),
    ("GET", "/requests/mine", "requests.mine", 302, 403, 200, 200, 403),
    ("GET", "/requests/periods", "requests.periods", 302, 200, 200, 200, 403),
    ("GET", "/requests/periods/{period}", "requests.period", 302, 200, 200, 200, 403),
    ("GET", "/requests/periods/new", "requests.open_period", 302, 403, 403, 200, 403),
    ("POST", "/requests/periods/new", "requests.open_period", 302, 403, 403, 200, 403),
    # closing (or refusing to) answers with the period's page
    ("POST", "/requests/periods/{period}/close", "requests.close_period", 302, 403, 403, 302, 403),
    ("GET", "/requests/new", "requests.create", 302, 403, 403, 200, 403),
    ("POST", "/requests/new", "requests.create", 302, 403, 403, 200, 403),
    ("GET", "/requests/{info_request}", "requests.detail", 302, 200, 200, 200, 403),
    ("GET", "/requests/{child_request}", "requests.detail", 302, 404, 404, 200, 403),
    ("GET", "/requests/{info_request}/edit", "requests.edit", 302, 403, 403, 200, 403),
    ("POST", "/requests/{info_request}/edit", "requests.edit", 302, 403, 403, 200, 403),
    # {info_request} is owned by someone else: the officer signed in here may not update it
    ("GET", "/requests/{info_request}/respond", "requests.respond", 302, 403, 403, 200, 403),
    ("POST", "/requests/{info_request}/respond", "requests.respond", 302, 403, 403, 200, 403),
    ("GET", "/requests/{info_request}/evidence", "requests.attach", 302, 403, 403, 200, 403),
    ("POST", "/requests/{info_request}/evidence", "requests.attach", 302, 403, 403, 200, 403),
    ("GET", "/requests/{info_request}/upload", "requests.upload", 302, 403, 403, 200, 403),
    ("POST", "/requests/{info_request}/upload", "requests.upload", 302, 403, 403, 200, 403),
    (
        "POST",
        "/requests/{info_request}/evidence/{evidence}/remove",
        "requests.detach",
        302,
        403,
        403,
        302,
        403,
    ),
    ("GET", "/exports/information-requests", "exports.requests_index", 302, 200, 200, 200, 403),
    ("POST", "/exports/information-requests", "exports.requests_index", 302, 200, 200, 200, 403),
    ("GET", "/exports/information-requests.zip", "exports.requests_pack", 302, 200, 200, 200, 403),
    ("POST", "/exports/information-requests.zip", "exports.requests_pack", 302, 200, 200, 200, 403),
    (
        "POST",
        "/exports/information-requests.zip?restricted=1",
        "exports.requests_pack",
        302,
        403,
        403,
        200,
        403,
    ),
    ("GET", "/admin/users", "admin.users", 302, 403, 403, 403, 200),
    ("GET", "/admin/users/new", "admin.create_user", 302, 403, 403, 403, 200),
    ("POST", "/admin/users/new", "admin.create_user", 302, 403, 403, 403, 200),
    ("GET", "/admin/users/{user}", "admin.edit_user", 302, 403, 403, 403, 200),
    ("POST", "/admin/users/{user}", "admin.edit_user", 302, 403, 403, 403, 200),
    ("POST", "/admin/users/{user}/two-step", "admin.remove_two_step", 302, 403, 403, 403, 302),
    ("POST", "/admin/users/{user}/sessions/end", "admin.end_sessions", 302, 403, 403, 403, 302),
    # {user} has no single sign-on link: the administrator is told so on the user's page
    ("POST", "/admin/users/{user}/sso-link/remove", "admin.remove_sso_link", 302, 403, 403, 403, 302),
    ("GET", "/account/reminders", "reminders.preferences", 302, 200, 200, 200, 403),
    # an empty POST leaves every question unanswered: the form is shown again with its errors
    ("POST", "/account/reminders", "reminders.preferences", 302, 200, 200, 200, 403),
    ("GET", "/admin/teams", "reminders.teams", 302, 403, 403, 403, 200),
    ("GET", "/admin/teams/new", "reminders.create_channel", 302, 403, 403, 403, 200),
    ("POST", "/admin/teams/new", "reminders.create_channel", 302, 403, 403, 403, 200),
    ("GET", "/admin/teams/{channel}", "reminders.edit_channel", 302, 403, 403, 403, 200),
    # an empty POST to the change form has no name: the form is shown again with its error
    ("POST", "/admin/teams/{channel}", "reminders.edit_channel", 302, 403, 403, 403, 200),
    ("POST", "/admin/teams/{channel}/active", "reminders.toggle_channel", 302, 403, 403, 403, 302),
    ("GET", "/admin/reminders", "reminders.problems", 302, 403, 403, 403, 200),
    ("GET", "/account/api-tokens", "api_tokens.index", 302, 200, 200, 200, 403),
    # an empty form is shown again with its error
    ("POST", "/account/api-tokens", "api_tokens.index", 302, 200, 200, 200, 403),
    # {api_token} is someone else's: nobody may revoke it (404, as if it did not exist)
    ("POST", "/account/api-tokens/{api_token}/revoke", "api_tokens.revoke", 302, 404, 404, 404, 403),
    ("GET", "/account/api-tokens/power-bi", "api_tokens.power_bi", 302, 200, 200, 200, 403),
    # the API reads no session: signed in or not, no token is a 401 (with a token: API_TABLE below)
    ("GET", "/api/v1/inspections", "api.inspections", 401, 401, 401, 401, 401),
    ("GET", "/api/v1/findings", "api.findings", 401, 401, 401, 401, 401),
    ("GET", "/api/v1/actions", "api.actions", 401, 401, 401, 401, 401),
    ("GET", "/api/v1/progress-updates", "api.progress_updates", 401, 401, 401, 401, 401),
    ("GET", "/api/v1/evidence", "api.evidence", 401, 401, 401, 401, 401),
    ("GET", "/api/v1/measures", "api.measures", 401, 401, 401, 401, 401),
    ("GET", "/api/v1/survey-summaries", "api.survey_summaries", 401, 401, 401, 401, 401),
    ("GET", "/api/v1/readiness-snapshots", "api.readiness_snapshots", 401, 401, 401, 401, 401),
    ("GET", "/api/v1/readiness-history", "api.readiness_history", 401, 401, 401, 401, 401),
    ("GET", "/api/v1/readiness-history.csv", "api.readiness_history_csv", 401, 401, 401, 401, 401),
    ("GET", "/api/v1/openapi.json", "api.openapi_document", 200, 200, 200, 200, 200),
    ("GET", "/api/v1/no-such-thing", "api.no_such_resource", 404, 404, 404, 404, 404),
    ("POST", "/api/v1/no-such-thing", "api.no_such_resource", 404, 404, 404, 404, 404),
    ("PUT", "/api/v1/no-such-thing", "api.no_such_resource", 404, 404, 404, 404, 404),
    ("PATCH", "/api/v1/no-such-thing", "api.no_such_resource", 404, 404, 404, 404, 404),
    ("DELETE", "/api/v1/actions", "api.no_such_resource", 405, 405, 405, 405, 405),
    ("GET", "/admin/users/{user}/password", "admin.reset_password", 302, 403, 403, 403, 200),
    # an empty form has the service make a password, shown once on the page that answers
    ("POST", "/admin/users/{user}/password", "admin.reset_password", 302, 403, 403, 403, 200),
    ("GET", "/admin/audit", "admin.audit_log_page", 302, 403, 403, 403, 200),
    (
        "GET",
        "/admin/audit?who=system&verb=user.created&on_from=1&on_from=1&on_from=2026&page=2",
        "admin.audit_log_page",
        302,
        403,
        403,
        403,
        200,
    ),
    ("GET", "/admin/audit/{event}", "admin.audit_event_page", 302, 403, 403, 403, 200),
    ("POST", "/admin/audit/verify", "admin.verify_audit", 302, 403, 403, 403, 200),
    ("GET", "/admin/sso", "admin.sso_domains", 302, 403, 403, 403, 200),
    ("POST", "/admin/sso", "admin.sso_domains", 302, 403, 403, 403, 200),
    ("POST", "/admin/sso/{sso_domain}/remove", "admin.remove_sso_domain", 302, 403, 403, 403, 302),
]

CASES = [
    pytest.param(method, url, who, row[3 + index], id=f"{method} {url} as {getattr(who, 'value', who)}")
    for row in TABLE
    for method, url in [row[:2]]
    for index, who in enumerate(WHO)
]


@pytest.mark.parametrize(("method", "url", "who", "expected"), CASES)
def test_each_role_gets_the_expected_answer(app, client_as, method, url, who, expected):
    someone = factories.UserFactory(role=Role.OFFICER)
    finding = factories.FindingFactory()
    action = factories.ActionFactory(owner=someone, findings=[finding])
    evidence, stored_file = factories.document_evidence(uploaded_by=someone, findings=[finding])
    measure = factories.MeasureFactory(owner=someone)
    reading = factories.ReadingFactory(measure=measure, entered_by=someone)
    comment = factories.SurveyCommentFactory()
    response_entry = factories.YouSaidWeDidFactory(survey_id=comment.survey_id)
    event = audit.record(None, "user.created", someone)
    action_event = audit.record(
        None, "action.updated", action, before={"title": "Old"}, after={"title": "New"}
    )
    criterion = factories.CriterionFactory()
    criterion_link = CriterionLink(criterion_id=criterion.id, kind=LinkKind.FINDING, finding_id=finding.id)
    db.session.add(criterion_link)
    db.session.commit()
    period = InspectionPeriod(notified_on=date(2026, 6, 1))
    db.session.add(period)
    db.session.flush()
    due = utcnow() + timedelta(days=2)
    info_request = InformationRequest(
        period_id=period.id,
        number=1,
        wording="Board minutes",
        category=RequestCategory.PARTNERSHIP,
        owner_id=someone.id,
        due_at=due,
    )
    child_request = InformationRequest(
        period_id=period.id,
        number=2,
        wording="A child's file",
        category=RequestCategory.CASE_SAMPLING,
        owner_id=someone.id,
        due_at=due,
        names_child=True,
    )
    channel = TeamsChannel(name="SEND leaders", webhook_url="https://teams.example.org/hook/abcd")
    sso_domain = SsoRequiredDomain(domain="nhs.example")
    db.session.add_all([info_request, child_request, channel, sso_domain])
    db.session.commit()
    api_token, _ = make_token(someone, "Someone's report", date.today() + timedelta(days=30))
    open_session_record(someone.id)  # someone's session, which nobody else may end
    their_session = db.session.scalar(sa.select(UserSession.id))
    ids = {
        "event": event.id,
        "action_event": action_event.id,
        "survey": comment.survey_id,
        "user": someone.id,
        "finding": finding.id,
        "action": action.id,
        "inspection": finding.inspection_id,
        "theme": finding.theme_id,
        "evidence": evidence.id,
        "file": stored_file.id,
        "comment": comment.id,
        "response": response_entry.id,
        "measure": measure.id,
        "reading": reading.id,
        "session": their_session,
        "criterion": criterion.id,
        "criterion_link": criterion_link.id,
        "period": period.id,
        "info_request": info_request.id,
        "child_request": child_request.id,
        "channel": channel.id,
        "sso_domain": sso_domain.id,
        "api_token": api_token.id,
    }
    client = app.test_client() if who == ANON else client_as(who)
    response = client.open(url.format(**ids), method=method, data={})
    body = response.get_data().decode("utf-8", "replace")  # downloads are binary
    response.close()  # as a WSGI server would: closes a download's file
    assert response.status_code == expected, body[:500]
    if expected == 302 and who == ANON and url not in ("/logout",):
        assert "/login" in response.headers["Location"]
    if expected == 403:
        assert "You cannot see this page" in body


# the API with a token made by each role (an administrator's made while they were a viewer: the page refuses
# them one, and a role change applies to tokens at once):
# anonymous is no token; method, url, endpoint, then anonymous, viewer, officer, leader, admin
API_TABLE = [
    ("GET", "/api/v1/inspections", "api.inspections", 401, 200, 200, 200, 403),
    ("GET", "/api/v1/findings", "api.findings", 401, 200, 200, 200, 403),
    ("GET", "/api/v1/actions", "api.actions", 401, 200, 200, 200, 403),
    ("GET", "/api/v1/progress-updates", "api.progress_updates", 401, 200, 200, 200, 403),
    ("GET", "/api/v1/evidence", "api.evidence", 401, 200, 200, 200, 403),
    ("GET", "/api/v1/measures", "api.measures", 401, 200, 200, 200, 403),
    ("GET", "/api/v1/survey-summaries", "api.survey_summaries", 401, 200, 200, 200, 403),
    ("GET", "/api/v1/readiness-snapshots", "api.readiness_snapshots", 401, 200, 200, 200, 403),
    ("GET", "/api/v1/readiness-history", "api.readiness_history", 401, 200, 200, 200, 403),
    ("GET", "/api/v1/readiness-history.csv", "api.readiness_history_csv", 401, 200, 200, 200, 403),
    ("GET", "/api/v1/openapi.json", "api.openapi_document", 200, 200, 200, 200, 200),
    ("GET", "/api/v1/no-such-thing", "api.no_such_resource", 404, 404, 404, 404, 404),
]


@pytest.mark.parametrize(
    ("url", "who", "expected"),
    [
        pytest.param(url, who, row[3 + index], id=f"{url} by token as {getattr(who, 'value', who)}")
        for row in API_TABLE
        for url in [row[1]]
        for index, who in enumerate(WHO)
    ],
)
def test_each_role_gets_the_expected_answer_by_token(app, url, who, expected):
    finding = factories.FindingFactory()
    factories.ActionFactory(findings=[finding])
    headers = {}
    if who != ANON:
        maker = factories.UserFactory(role=Role.VIEWER)
        _, value = make_token(maker, "Report", date.today() + timedelta(days=30))
        maker.role = who
        db.session.commit()
        headers["Authorization"] = f"Bearer {value}"
    response = app.test_client().get(url, headers=headers)
    assert response.status_code == expected, response.get_data(as_text=True)[:500]
    ok_type = "text/csv" if url.endswith(".csv") else "application/json"  # the readiness history's file
    expected_type = ok_type if expected == 200 else "application/problem+json"
    assert response.mimetype == expected_type
    assert "Set-Cookie" not in response.headers


def test_every_api_route_is_in_the_token_table(app):
    api = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")}
    assert api == {row[2] for row in API_TABLE}


def test_every_route_is_in_the_table_and_in_permissions(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint != "static"}
    in_table = {row[2] for row in TABLE}
    assert endpoints - in_table == set(), "routes missing from the role-by-route table"
    assert in_table - endpoints == set(), "the table lists routes that no longer exist"
    assert endpoints - set(ROUTE_ACCESS) == set(), "routes missing from permissions.ROUTE_ACCESS"


def test_every_method_of_every_route_is_in_the_table(app):
    served = {
        (method, rule.endpoint)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert served == {(row[0], row[2]) for row in TABLE}


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_owners_and_contributors_report_progress_but_other_officers_cannot(client_as, method):
    owner, contributor, other = (factories.UserFactory(role=Role.OFFICER) for _ in range(3))
    action = factories.ActionFactory(
        owner=owner, contributors=[contributor], findings=[factories.FindingFactory()]
    )
    url = f"/actions/{action.id}/updates/new"
    assert client_as(owner).open(url, method=method, data={}).status_code == 200
    assert client_as(contributor).open(url, method=method, data={}).status_code == 200
    assert client_as(other).open(url, method=method, data={}).status_code == 403


def test_the_report_progress_button_shows_only_to_those_who_may(client_as):
    owner, other = factories.UserFactory(role=Role.OFFICER), factories.UserFactory(role=Role.OFFICER)
    action = factories.ActionFactory(owner=owner, findings=[factories.FindingFactory()])
    assert "Report progress" in client_as(owner).get(f"/actions/{action.id}").get_data(as_text=True)
    for who in (other, Role.VIEWER):
        page = client_as(who).get(f"/actions/{action.id}").get_data(as_text=True)
        assert "Report progress" not in page and "Change this action" not in page


def test_navigation_shows_only_what_the_role_may_open(client_as):
    viewer_page = client_as(Role.VIEWER).get("/findings").get_data(as_text=True)
    admin_page = client_as(Role.ADMIN).get("/admin/users").get_data(as_text=True)
    assert 'href="/findings"' in viewer_page and 'href="/admin/users"' not in viewer_page
    assert 'href="/admin/users"' in admin_page and 'href="/findings"' not in admin_page
