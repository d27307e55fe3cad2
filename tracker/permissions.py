"""Every access rule: predicates for views, templates, lists, the API and exports alike.

Each endpoint is listed once in ROUTE_ACCESS with the predicate that guards it; an endpoint
that is not listed is refused for everyone. Rules about one object (may this user see this
evidence item?) are predicates the view calls through `require` after loading the object,
and rules that filter lists are SQL conditions the queries compose.
"""

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import abort, current_app, has_request_context, redirect, request, session, url_for
from flask_login import current_user

from tracker.extensions import login_manager
from tracker.models import Role

Predicate = Callable[[Any], bool]


def is_public(user: Any) -> bool:
    return True


def is_signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def _has_role(user: Any, *roles: Role) -> bool:
    return is_signed_in(user) and user.role in roles


def can_view_plan(user: Any) -> bool:
    """Leaders, officers and viewers read the plan; administrators run the system, not the plan."""
    return _has_role(user, Role.LEADER, Role.OFFICER, Role.VIEWER)


def can_edit_plan(user: Any) -> bool:
    """Leaders record inspections, findings, themes and actions, and override RAG."""
    return _has_role(user, Role.LEADER)


def can_update_progress(user: Any, action: Any) -> bool:
    """Leaders, and the officers who own or contribute to the action, report its progress."""
    if action.is_archived:
        return False  # an archived action is history: restore it before reporting on it
    return can_edit_plan(user) or (_has_role(user, Role.OFFICER) and action.is_open_to(user))


def can_edit_surveys(user: Any) -> bool:
    """Leaders record surveys, tag comments, and write and publish "you said, we did":
    the summary families read."""
    return _has_role(user, Role.LEADER)


def can_import_surveys(user: Any) -> bool:
    """Officers run surveys, so they and leaders import the replies;
    only a leader publishes what families read."""
    return _has_role(user, Role.LEADER, Role.OFFICER)


def can_see_respondents(user: Any) -> bool:
    """Names and emails from survey replies, when a leader chose to keep them: leaders only."""
    return _has_role(user, Role.LEADER)


def can_edit_measures(user: Any) -> bool:
    """Leaders define measures: unit, direction, baseline, target, milestones, owner."""
    return _has_role(user, Role.LEADER)


def may_record_readings(user: Any) -> bool:
    """Who could record a reading on some measure: the route-level rule; the measure's own is below."""
    return _has_role(user, Role.LEADER, Role.OFFICER)


def can_record_readings(user: Any, measure: Any) -> bool:
    """Leaders, and the officer who owns the measure, add and correct its readings."""
    if can_edit_measures(user):
        return True
    return _has_role(user, Role.OFFICER) and measure.owner_id == user.id and not measure.is_archived


def can_export(user: Any) -> bool:
    """Anyone on the plan may export what they may see."""
    return can_view_plan(user)


def can_export_without_limit(user: Any) -> bool:
    """Officers and leaders prepare exports for inspections; viewers' heavy exports are limited
    (tracker/exports/throttle.py)."""
    return _has_role(user, Role.LEADER, Role.OFFICER)


def can_link_criteria(user: Any) -> bool:
    """Leaders link findings, actions, measures, evidence and surveys to the framework's criteria,
    and unlink them."""
    return _has_role(user, Role.LEADER)


def can_edit_sef(user: Any) -> bool:
    """Officers and leaders draft the self-evaluation's statements and cite what they rest on."""
    return _has_role(user, Role.LEADER, Role.OFFICER)


def can_sign_off_sef(user: Any) -> bool:
    """Only a leader signs off a version of a self-evaluation statement."""
    return _has_role(user, Role.LEADER)


def can_manage_requests(user: Any) -> bool:
    """Leaders open and close an inspection period, and log and change the
    inspectors' information requests."""
    return _has_role(user, Role.LEADER)


def may_update_requests(user: Any) -> bool:
    """Who could update some information request: the route-level rule;
    the request's own is can_update_request."""
    return _has_role(user, Role.LEADER, Role.OFFICER)


def can_view_request(user: Any, info_request: Any) -> bool:
    """A request that names a child is read like restricted evidence: by leaders, and by the person who owns
    it (as restricted evidence is by its uploader: they are the one asked to answer it)."""
    if not can_view_plan(user):
        return False
    return not info_request.names_child or can_view_restricted(user) or info_request.owner_id == user.id


def can_update_request(user: Any, info_request: Any) -> bool:
    """Leaders, and the officer who owns it, answer a request (status, response, evidence) while its period is
    open; a closed request only a leader reopens."""
    if not can_view_request(user, info_request) or not info_request.period.is_open:
        return False
    if can_manage_requests(user):
        return True
    return (
        _has_role(user, Role.OFFICER)
        and info_request.owner_id == user.id
        and info_request.status.value != "closed"
    )


def visible_request_clause(user: Any, request_model: Any) -> sa.ColumnElement[bool]:
    """The SQL form of can_view_request, for every query that lists, counts or exports requests."""
    if not can_view_plan(user):
        return sa.false()
    if can_view_restricted(user):
        return sa.true()
    return sa.or_(sa.not_(request_model.names_child), request_model.owner_id == user.id)


def can_redact_history(user: Any) -> bool:
    """Leaders take out of a record's history what should never have been typed
    there (a child's NHS number)."""
    return _has_role(user, Role.LEADER)


def can_include_restricted(user: Any) -> bool:
    """Only a leader may put restricted evidence into an export, and doing so is recorded."""
    return can_view_restricted(user)


def can_manage_users(user: Any) -> bool:
    return _has_role(user, Role.ADMIN)


def can_read_api(user: Any) -> bool:
    """/api/v1 acts as the person who made the token, through the same predicates as their pages: who may read
    the plan may read it there, and make tokens for it (tracker/api/, docs/api.md)."""
    return can_view_plan(user)


# who a request that carries no session is from: a blueprint that reads its own credentials (the API, by its
# token: tracker/api/access.py) registers here how it finds the person, so that this module imports no domain
CREDENTIAL_READERS: dict[str, Callable[[], Any]] = {}


def can_choose_reminders(user: Any) -> bool:
    """Leaders, officers and viewers choose how often they hear about each kind of reminder; administrators
    are told nothing about the plan, so they have no reminders to choose."""
    return can_view_plan(user)


def home_for(user: Any) -> str:
    """The endpoint someone lands on after signing in with no `next`: officers on My actions, which opens with
    what needs their attention; administrators on their users; leaders and viewers on the dashboard."""
    if _has_role(user, Role.OFFICER):
        return "plan.my_actions"
    return "admin.users" if can_manage_users(user) else "main.index"


def can_end_session(user: Any, record: Any) -> bool:
    """A person ends only their own sessions from "Your sessions";
    administrators end someone's all at once."""
    return is_signed_in(user) and record.user_id == user.id


def two_step_required_roles() -> set[str]:
    """The roles that must use two-step verification: TRACKER_TWO_STEP_REQUIRED_ROLES,
    "leader,admin" unless relaxed."""
    return {
        part.strip().lower()
        for part in current_app.config["TRACKER_TWO_STEP_REQUIRED_ROLES"].split(",")
        if part.strip()
    }


def must_use_two_step(user: Any) -> bool:
    """By default leaders and administrators (who can reach restricted data or grant it)
    must use two-step verification."""
    return is_signed_in(user) and user.role.value in two_step_required_roles()


# the session key a single sign-on sets (tracker/auth/sso_views.py): the organisation's sign-in service
# asked for its own second step, so the tracker's is not asked for in that session (docs/sso.md)
SSO_SESSION_KEY = "signed_in_by_sso"


def signed_in_by_sso() -> bool:
    return has_request_context() and bool(session.get(SSO_SESSION_KEY))


def must_set_up_two_step(user: Any) -> bool:
    """Someone who must use two-step verification but has not set it up reaches nothing else until they do
    (unless they signed in by single sign-on)."""
    return must_use_two_step(user) and user.totp_enabled_at is None and not signed_in_by_sso()


# what someone who must set up two-step verification can still reach (public pages always can)
OPEN_BEFORE_TWO_STEP = {"auth.two_step", "auth.start_two_step", "auth.logout"}


def must_choose_password(user: Any) -> bool:
    """Someone whose password an administrator reset chooses their own before reaching anything else."""
    return is_signed_in(user) and bool(user.must_change_password)


# what someone who must choose a new password can still reach (setting up two-step verification comes first)
OPEN_BEFORE_NEW_PASSWORD = {"auth.change_password", "auth.logout"} | OPEN_BEFORE_TWO_STEP


def can_view_restricted(user: Any) -> bool:
    return _has_role(user, Role.LEADER)


def restricted_view_key(user: Any) -> str:
    """Who sees the same restricted evidence as this person, for figures kept per person (tracker/kept.py):
    every leader sees it all; anyone else sees only what they uploaded, so their figures are their own."""
    return "all" if can_view_restricted(user) else f"user:{getattr(user, 'id', None)}"


def can_view_evidence(user: Any, item: Any) -> bool:
    """Restricted evidence (personal data about a child or family) is for leaders and its uploader."""
    if not can_view_plan(user):
        return False
    if not item.is_restricted:
        return True
    return can_view_restricted(user) or item.uploaded_by_id == user.id


def can_add_evidence(user: Any) -> bool:
    """Leaders and officers attach evidence; viewers and administrators do not."""
    return _has_role(user, Role.LEADER, Role.OFFICER)


def can_edit_evidence(user: Any, item: Any) -> bool:
    """Leaders, and the person who added it, change evidence, add versions, resubmit or archive it."""
    if not can_view_evidence(user, item) or not can_add_evidence(user):
        return False
    return can_view_restricted(user) or item.uploaded_by_id == user.id


def can_review_evidence(user: Any) -> bool:
    return _has_role(user, Role.LEADER)


def visible_evidence_clause(user: Any, evidence_model: Any) -> sa.ColumnElement[bool]:
    """The SQL form of can_view_evidence, for every query that lists or counts evidence."""
    if not can_view_plan(user):
        return sa.false()
    if can_view_restricted(user):
        return sa.true()
    return sa.or_(evidence_model.sensitivity != "restricted", evidence_model.uploaded_by_id == user.id)


def can_view_comment(user: Any, comment: Any) -> bool:
    """A survey comment marked restricted (it names a child, a family or a worker) is read like restricted
    evidence: by those who may see all restricted evidence (a comment has no
    uploader). Others see how many."""
    if not can_view_plan(user):
        return False
    return not comment.is_restricted or can_view_restricted(user)


def visible_comment_clause(user: Any, comment_model: Any) -> sa.ColumnElement[bool]:
    """The SQL form of can_view_comment, for every query that lists comments' text."""
    if not can_view_plan(user):
        return sa.false()
    if can_view_restricted(user):
        return sa.true()
    return sa.not_(comment_model.restricted)


ROUTE_ACCESS: dict[str, Predicate] = {
    "static": is_public,
    "main.healthz": is_public,
    "main.accessibility": is_public,
    "auth.login": is_public,
    "auth.logout": is_signed_in,
    "auth.sso_start": is_public,  # single sign-on: the sign-in page's button, a link (auth/sso_views.py)
    "auth.sso_callback": is_public,  # the provider's answer: the state its session started, checked
    "auth.signed_out": is_public,  # after signing out: the offer to sign out of the provider too
    "auth.sign_in_code": is_public,  # the person whose password was right, checked in the view
    "auth.sign_in_recovery_code": is_public,  # the person whose password was right, checked in the view
    "auth.two_step": is_signed_in,
    "auth.start_two_step": is_signed_in,
    "auth.recovery_codes": is_signed_in,  # their own codes, once two-step verification is on
    "auth.turn_off_two_step": is_signed_in,
    "auth.change_password": is_signed_in,
    "auth.sessions": is_signed_in,
    "auth.end_session": is_signed_in,  # and can_end_session on the record, checked in the view
    "auth.end_other_sessions": is_signed_in,
    "main.index": is_signed_in,
    "plan.findings": can_view_plan,
    "plan.finding": can_view_plan,
    "plan.finding_history": can_view_plan,
    "plan.create_finding": can_edit_plan,
    "plan.edit_finding": can_edit_plan,
    "plan.archive_finding": can_edit_plan,
    "plan.inspections": can_view_plan,
    "plan.inspection_cycle": can_view_plan,
    "plan.create_inspection": can_edit_plan,
    "plan.edit_inspection": can_edit_plan,
    "plan.archive_inspection": can_edit_plan,
    "plan.themes": can_view_plan,
    "plan.create_theme": can_edit_plan,
    "plan.edit_theme": can_edit_plan,
    "plan.actions": can_view_plan,
    "plan.my_actions": can_view_plan,
    "plan.action": can_view_plan,
    "plan.action_history": can_view_plan,
    "plan.redact_history": can_redact_history,
    "plan.create_action": can_edit_plan,
    "plan.edit_action": can_edit_plan,
    "plan.archive_action": can_edit_plan,
    "plan.override_rag": can_edit_plan,
    "plan.add_update": can_view_plan,  # and can_update_progress on the action, checked in the view
    "plan.import_plan": can_edit_plan,
    "plan.confirm_import": can_edit_plan,
    "plan.import_template": can_edit_plan,
    "evidence.index": can_view_plan,
    "evidence.gaps": can_view_plan,
    "evidence.mine": can_add_evidence,
    "evidence.review_queue": can_review_evidence,
    "evidence.create": can_add_evidence,
    # the object-level rules (can_view_evidence, can_edit_evidence) are checked in each view
    "evidence.detail": can_view_plan,
    "evidence.download": can_view_plan,
    "evidence.edit": can_add_evidence,
    "evidence.add_version": can_add_evidence,
    "evidence.resubmit": can_add_evidence,
    "evidence.archive": can_add_evidence,
    "evidence.review": can_review_evidence,
    "measures.index": can_view_plan,
    "measures.detail": can_view_plan,
    "measures.create": can_edit_measures,
    "measures.edit": can_edit_measures,
    # can_record_readings(user, measure) is checked in these views, on the measure
    "measures.add_reading": may_record_readings,
    "measures.correct_reading": may_record_readings,
    "measures.import_readings": may_record_readings,
    "surveys.index": can_view_plan,
    "surveys.detail": can_view_plan,
    "surveys.comments": can_view_plan,
    "surveys.published": can_view_plan,
    "surveys.export_responses": can_view_plan,
    "surveys.create": can_edit_surveys,
    "surveys.edit": can_edit_surveys,
    "surveys.tag_comment": can_edit_surveys,
    "surveys.restrict_comment": can_edit_surveys,
    "surveys.create_response": can_edit_surveys,
    "surveys.edit_response": can_edit_surveys,
    "surveys.import_replies": can_import_surveys,
    "surveys.confirm_import": can_import_surveys,
    "readiness.snapshot": can_edit_plan,
    "exports.index": can_export,
    "exports.summary": can_export,
    "exports.pack": can_export,
    "exports.list_csv": can_export,
    "frameworks.index": can_view_plan,
    "frameworks.detail": can_view_plan,
    "frameworks.create_link": can_link_criteria,
    "frameworks.remove_link": can_link_criteria,
    "sef.index": can_view_plan,
    "sef.detail": can_view_plan,
    "sef.edit": can_edit_sef,
    "sef.sign_off": can_sign_off_sef,
    "exports.sef_index": can_export,
    "exports.sef": can_export,
    "requests.index": can_view_plan,
    "requests.mine": may_update_requests,
    "requests.periods": can_view_plan,
    "requests.period": can_view_plan,
    "requests.open_period": can_manage_requests,
    "requests.close_period": can_manage_requests,
    "requests.create": can_manage_requests,
    # can_view_request and can_update_request on the request are checked in each view
    "requests.detail": can_view_plan,
    "requests.edit": can_manage_requests,
    "requests.respond": may_update_requests,
    "requests.attach": may_update_requests,
    "requests.upload": may_update_requests,
    "requests.detach": may_update_requests,
    "exports.requests_index": can_export,
    "exports.requests_pack": can_export,
    "admin.users": can_manage_users,
    "admin.create_user": can_manage_users,
    "admin.edit_user": can_manage_users,
    "admin.reset_password": can_manage_users,
    "admin.remove_two_step": can_manage_users,
    "admin.end_sessions": can_manage_users,
    "admin.remove_sso_link": can_manage_users,
    "admin.audit_log_page": can_manage_users,
    "admin.audit_event_page": can_manage_users,
    "admin.verify_audit": can_manage_users,
    "admin.sso_domains": can_manage_users,
    "admin.remove_sso_domain": can_manage_users,
    "reminders.preferences": can_choose_reminders,
    "reminders.teams": can_manage_users,
    "reminders.create_channel": can_manage_users,
    "reminders.edit_channel": can_manage_users,
    "reminders.toggle_channel": can_manage_users,
    "reminders.problems": can_manage_users,
    # the read API: a token, never a session (CREDENTIAL_READERS); its description is public (docs/api.md)
    "api.inspections": can_read_api,
    "api.findings": can_read_api,
    "api.actions": can_read_api,
    "api.progress_updates": can_read_api,
    "api.evidence": can_read_api,  # restricted items: only include_restricted=true, and only the maker's own
    "api.measures": can_read_api,
    "api.survey_summaries": can_read_api,  # counts only: no comment's text, restricted or not
    "api.readiness_snapshots": can_read_api,  # snapshots count no restricted evidence, for anyone
    "api.readiness_history": can_read_api,
    "api.readiness_history_csv": can_read_api,
    "api.openapi_document": is_public,
    "api.no_such_resource": is_public,  # any other address under /api/v1: a 404 or 405 problem
    "api_tokens.index": can_read_api,
    "api_tokens.revoke": can_read_api,  # and only the maker's own token, checked in the view
    "api_tokens.power_bi": can_read_api,  # the page for analysts: connecting Power BI
}


def authorise_request() -> Any:
    """Run before every request: refuse what ROUTE_ACCESS does not allow."""
    if request.endpoint is None:  # no route matched: the 404 handler answers
        return None
    rule = ROUTE_ACCESS.get(request.endpoint)
    if rule is None:
        abort(403)
    if rule is is_public:
        return None
    read_credentials = CREDENTIAL_READERS.get(request.blueprint or "")
    if read_credentials is not None:  # no session here: the reader names the person, or answers 401 itself
        user = read_credentials()
        login_manager._update_request_context_with_user(user)  # Flask-Login's way to set current_user
        if not rule(user):
            abort(403)
        return None
    if not is_signed_in(current_user):
        return login_manager.unauthorized()
    if must_set_up_two_step(current_user) and request.endpoint not in OPEN_BEFORE_TWO_STEP:
        return redirect(url_for("auth.two_step"))
    if must_choose_password(current_user) and request.endpoint not in OPEN_BEFORE_NEW_PASSWORD:
        return redirect(url_for("auth.change_password"))
    if not rule(current_user):
        abort(403)
    return None


def require(allowed: bool, hide: bool = False) -> None:
    """Refuse the request unless the predicate the view asked allowed it.

    `hide=True` answers 404, not 403, so that a restricted record's existence is not revealed.
    """
    if not allowed:
        abort(404 if hide else 403)


TEMPLATE_PREDICATES = {
    "can_view_plan": can_view_plan,
    "can_edit_plan": can_edit_plan,
    "can_redact_history": can_redact_history,
    "can_update_progress": can_update_progress,
    "can_manage_users": can_manage_users,
    "can_choose_reminders": can_choose_reminders,
    "must_set_up_two_step": must_set_up_two_step,
    "must_use_two_step": must_use_two_step,
    "can_view_restricted": can_view_restricted,
    "can_view_evidence": can_view_evidence,
    "can_add_evidence": can_add_evidence,
    "can_edit_evidence": can_edit_evidence,
    "can_review_evidence": can_review_evidence,
    "can_edit_surveys": can_edit_surveys,
    "can_import_surveys": can_import_surveys,
    "can_view_comment": can_view_comment,
    "can_export": can_export,
    "can_include_restricted": can_include_restricted,
    "can_see_respondents": can_see_respondents,
    "can_edit_measures": can_edit_measures,
    "can_link_criteria": can_link_criteria,
    "can_edit_sef": can_edit_sef,
    "can_sign_off_sef": can_sign_off_sef,
    "can_manage_requests": can_manage_requests,
    "can_view_request": can_view_request,
    "can_update_request": can_update_request,
    "can_record_readings": can_record_readings,
}
