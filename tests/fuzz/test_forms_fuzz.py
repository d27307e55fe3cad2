"""Every form, fuzzed: whatever a person (or a script) posts, the answer is never a 500.

Each route that accepts POST is found in the app's URL map, so a new form is fuzzed without anyone
remembering to. The fuzzer signs in as someone the route admits, opens the page that holds the form,
reads its fields from the HTML (inputs, selects and their options, checkboxes, textareas, files), and
lets Hypothesis post variations: empty, very long, unicode, control characters, NULs, surrogates in the
raw body, numbers where dates are expected, options that are not offered, fields left out or sent
twice, unknown fields, and files of random bytes with random names. A 200 that re-renders the same
form must say what is wrong (a GOV.UK error summary or an error beside a field).

A route whose URL needs an id the fuzzer cannot fill, or whose form it cannot find, fails here: add
the id to `build_world` or a way to reach the form to `SPECIAL`. Settings are in tests/fuzz/settings.py.
"""

import io
import logging
import os
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlencode

import pyotp
import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from config import TestConfig
from tests import factories
from tests.council_plans import priority_action_plan
from tests.fuzz.html_forms import Form, read_forms
from tests.fuzz.settings import FUZZ
from tracker import audit, create_app
from tracker.api.tokens import make_token
from tracker.audit import AuditEvent
from tracker.auth.models import SsoRequiredDomain, UserSession
from tracker.auth.sessions import hash_key, open_session_record
from tracker.dates import today
from tracker.demo import data as demo_data
from tracker.evidence.models import EvidenceStatus
from tracker.extensions import db
from tracker.frameworks.models import CriterionLink, LinkKind
from tracker.information_requests.models import (
    InformationRequest,
    InspectionPeriod,
    RequestCategory,
    RequestEvidence,
)
from tracker.models import Role
from tracker.permissions import ROUTE_ACCESS, is_public
from tracker.plan.services import create_theme
from tracker.reminders.models import TeamsChannel
from tracker.sef.models import SefVersion
from tracker.surveys.models import Audience

ROLES = [Role.LEADER, Role.ADMIN, Role.OFFICER, Role.VIEWER]
EXPECTED = {200, 302, 303, 400, 403, 404, 409, 413, 429}


@dataclass(frozen=True)
class Target:
    """One form to fuzz: a route, and where needed how to reach its form and as whom."""

    endpoint: str
    query: str = ""  # added to the address posted to (evidence.create asks which kind)
    page: str = ""  # the page holding the form, when it is not the route's own page
    reach: Callable | None = None  # a step before the form exists, such as an upload before its confirmation
    actor: Role | None = None  # who fills it in, when not the first role the route admits
    ids: tuple = ()  # (url argument, world id) pairs replacing the usual ids

    def __str__(self) -> str:
        return self.endpoint + self.query


def _upload(path: str, name: str, content: Callable[[], bytes]) -> Callable:
    def reach(client, ids):
        return client.post(
            path.format(**ids),
            data={"file": (io.BytesIO(content()), name)},
            content_type="multipart/form-data",
        )

    return reach


def _password_first(client, ids):
    client.post("/login", data={"email": "officer@council.example", "password": factories.PASSWORD})
    return client.get("/login/code")


def _recovery_code_page(client, ids):
    _password_first(client, ids)
    return client.get("/login/recovery-code")


def _setup_started(client, ids):
    client.post("/account/two-step/start", data={"password": factories.PASSWORD})
    return client.get("/account/two-step")


def _survey_file() -> bytes:
    return (Path(demo_data.__file__).parent / "files" / "spot-survey-microsoft-forms.xlsx").read_bytes()


# Forms that are not on their route's own page, or that need a step or a particular person first.
SPECIAL = {
    "evidence.create": [
        Target("evidence.create", query=f"?kind={kind}") for kind in ("document", "link", "note")
    ],
    "evidence.resubmit": [
        Target("evidence.resubmit", page="/evidence/{evidence_id}", ids=(("evidence_id", "returned_id"),))
    ],
    "plan.confirm_import": [
        Target("plan.confirm_import", reach=_upload("/actions/import", "plan.csv", lambda: PLAN_CSV)),
        # a council's own plan: the partner, new-finding, inspection and theme choices too
        Target("plan.confirm_import", reach=_upload("/actions/import", "PAP.xlsx", priority_action_plan)),
    ],
    "surveys.confirm_import": [
        Target(
            "surveys.confirm_import",
            reach=_upload("/surveys/{survey_id}/import", "spot-survey-microsoft-forms.xlsx", _survey_file),
        )
    ],
    "auth.sign_in_code": [Target("auth.sign_in_code", reach=_password_first)],  # the officer has two-step on
    "auth.sign_in_recovery_code": [Target("auth.sign_in_recovery_code", reach=_recovery_code_page)],
    "auth.two_step": [
        Target("auth.two_step", reach=_setup_started)
    ],  # the code form, once the password started set-up
    "auth.recovery_codes": [
        Target("auth.recovery_codes", page="/account/two-step/recovery-codes", actor=Role.OFFICER)
    ],
    "auth.turn_off_two_step": [
        Target("auth.turn_off_two_step", page="/account/two-step", actor=Role.OFFICER)
    ],
    # redacting a value of the action's history: an entry about the action, and which value, in the address
    # sessions: the officer is signed in elsewhere (the admin ends them all);
    # the leader has a second session to end
    "admin.end_sessions": [Target("admin.end_sessions", page="/admin/users/{user_id}", actor=Role.ADMIN)],
    "auth.end_session": [
        Target(
            "auth.end_session",
            page="/account/sessions",
            actor=Role.LEADER,
            ids=(("session_id", "leader_session_id"),),
        )
    ],
    "auth.end_other_sessions": [
        Target("auth.end_other_sessions", page="/account/sessions", actor=Role.LEADER)
    ],
    "plan.redact_history": [
        Target("plan.redact_history", query="?side=after&field=title", ids=(("event_id", "action_event_id"),))
    ],
    # linking to a criterion: the kind is chosen first, in the address
    "frameworks.create_link": [
        Target("frameworks.create_link", query=f"?kind={kind}")
        for kind in ("finding", "action", "measure", "evidence", "survey")
    ],
    # the self-evaluation's export: Word or PDF only
    "exports.sef": [Target("exports.sef", ids=(("fmt", "sef_fmt"),))],
}


# routes that take POST but hold no form: the read-only API answers any other method with a problem+json 405
# or 404 (tests/http/test_api_lists.py), and Schemathesis fuzzes the API from its OpenAPI document
NOT_FORMS = {"api.no_such_resource"}


def _targets() -> list[Target]:
    app = create_app(TestConfig)  # only to read its URL map at collection time
    endpoints = sorted(
        {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods} - NOT_FORMS
    )
    return [target for endpoint in endpoints for target in SPECIAL.get(endpoint, [Target(endpoint)])]


TARGETS = _targets()

# Values -----------------------------------------------------------------------------------------

HOSTILE = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    '=HYPERLINK("http://x")',
    "+1+1",
    "-2+3",
    "@SUM(1)",
    "\t=1+1",
    "\r=1+1",
    "\x00",
    "a\x00b",
    "\x01\x02\x1f\x7f",
    "\u202eexe.pdf",
    "\u200f\u200e",
    "\u200d",
    "👩‍👩‍👧‍👦",
    "e\u0301\u0301",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    " ",
    "\n\n",
    "0",
    "-1",
    "2147483648",
    "99999999999999999999",
    "1e309",
    "nan",
    "inf",
    "-0",
    "3.5",
    "31",
    "13",
    "1899",
    "0000",
    "../../etc/passwd",
    "%00",
    "' OR 1=1 --",
    "null",
    "[]",
    "{}",
    "\ufffe",
]
numbers = st.one_of(st.integers(min_value=-5, max_value=40), st.integers(), st.floats(allow_nan=True)).map(
    str
)
long_text = st.tuples(
    st.sampled_from(["x", "é", "😀", "<b>", "=1", "\x00"]), st.integers(min_value=100, max_value=12_000)
).map(lambda pair: pair[0] * pair[1])
texts = st.one_of(st.just(""), st.text(max_size=30), st.sampled_from(HOSTILE), numbers, long_text)
# words a person could mean, hostile ones included: they pass the forms' checks and
# reach the services and the database
words = st.one_of(
    st.sampled_from(["Waiting times", "Leaflets for parents", "A7", "10", "Parents know where to go"]),
    st.text(min_size=1, max_size=20),
    st.sampled_from(HOSTILE).filter(str.strip),
)
past_dates = st.dates(min_value=date(2000, 1, 1), max_value=today()).map(
    lambda day: [str(day.day), str(day.month), str(day.year)]
)

PDF = factories.PDF_BYTES
PLAN_CSV = (
    "reference,title,intended_outcome,findings,owner_email,partner,due_date,status,percent_complete\n"
    "A90,Publish leaflets,Parents know where to go,AFI1,officer@council.example,council,2027-03-31,in "
    "progress,20\n"
).encode()
READINGS_CSV = b"period_end,value,note\n2026-01-31,5,first\n2026-02-28,=1+1,\x00\n"
file_contents = st.one_of(
    st.binary(max_size=3000),
    st.sampled_from(
        [b"", PDF, PLAN_CSV, READINGS_CSV, b"\xff\xfe\x00bad", b"PK\x03\x04" + bytes(40), PDF + b"\x00" * 10]
    ),
)
file_names = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "report.pdf",
            "plan.csv",
            "plan.xlsx",
            "readings.csv",
            "../../evil.csv",
            "\u202ecod.exe",
            "a\x00.csv",
            "",
            ".csv",
        ]
    ),
)

# What a person would type into fields known by their names, so that posts get past the forms to the services.
PLAUSIBLE = [
    (
        "email",
        st.sampled_from(["officer@council.example", "new.person@council.example", "Someone@Council.Example"]),
    ),
    ("password", st.just(factories.PASSWORD + "-and-more")),
    ("confirm", st.just(factories.PASSWORD + "-and-more")),
    ("url", st.sampled_from(["https://localoffer.example/page", "http://x.example", "https://[::1"])),
    ("percent", st.integers(min_value=0, max_value=100).map(str)),
    ("value", st.one_of(st.integers(min_value=0, max_value=100).map(str), numbers)),
    ("code", st.sampled_from(["123456", "000000"])),
]


def _plausible(field):
    """A value the form would accept, or nearly: what moves a post past the form's checks."""
    if field.kind == "file":
        return st.tuples(file_contents, file_names).map(lambda pair: [(io.BytesIO(pair[0]), pair[1])])
    chosen = [option for option in field.options if option] or field.options
    if field.kind in ("select", "radio") and chosen:
        return st.sampled_from(chosen).map(lambda value: [value])
    if field.kind == "checkbox" or (field.kind == "select" and field.multiple):
        return st.lists(st.sampled_from(chosen), unique=True, max_size=3) if chosen else st.just([])
    if field.multiple:
        return past_dates
    if field.kind == "hidden" or field.values and field.values[0]:
        return st.just(list(field.values))
    return next((values for key, values in PLAUSIBLE if key in field.name), words).map(lambda value: [value])


def _disrupted(field):
    """Something the form should refuse: fuzzed text, an option not offered,
    the field left out or sent twice."""
    if field.kind == "file":
        return st.one_of(
            st.just([]),
            st.lists(st.tuples(file_contents, file_names), min_size=2, max_size=2).map(
                lambda pairs: [(io.BytesIO(content), name) for content, name in pairs]
            ),
        )
    offered = st.one_of(st.sampled_from(field.options), texts) if field.options else texts
    one = (
        st.lists(offered, max_size=4)
        if field.kind == "checkbox" or field.multiple
        else offered.map(lambda value: [value])
    )
    return st.one_of(one, st.just([]), one.map(lambda values: values * 2))


@st.composite
def submissions(draw, form: Form) -> tuple:
    """One post: plausible values in every field but a few (none, one, two or all) that are disrupted, at most
    one of the form's buttons, and perhaps an unknown field. Sometimes sent as a
    raw body with lone surrogates."""
    fields = [field for field in form.fields if field.kind != "submit"]
    count = draw(st.sampled_from([0, 1, 1, 1, 2, len(fields)]))
    disrupted = (
        set(draw(st.lists(st.sampled_from(range(len(fields))), max_size=count, unique=True)))
        if fields
        else set()
    )
    pairs, files = [], []
    for index, field in enumerate(fields):
        for value in draw(_disrupted(field) if index in disrupted else _plausible(field)):
            (files if field.kind == "file" else pairs).append((field.name, value))
    buttons = [field for field in form.fields if field.kind == "submit"]
    if buttons and draw(st.booleans()):
        button = draw(st.sampled_from(buttons))
        pairs.append((button.name, button.values[0] if button.values else ""))
    pairs += draw(st.lists(st.tuples(st.text(max_size=10), texts), max_size=1))
    raw = not files and draw(st.booleans())
    if raw and pairs and draw(st.booleans()):  # lone surrogates: sent as the bytes a broken client would send
        name, value = pairs[-1]
        pairs[-1] = (name, value + draw(st.sampled_from(["\ud800", "x\udfffy"])))
    return pairs, files, raw


# The records every form works on ------------------------------------------------------------------


def build_world() -> dict:
    """One of everything, owned by the officer (who has two-step verification on), so that each route has
    something to act on."""
    people = {role: factories.UserFactory(role=role, email=f"{role.value}@council.example") for role in ROLES}
    officer = people[Role.OFFICER]
    officer.totp_secret, officer.totp_enabled_at = pyotp.random_base32(), datetime.now(timezone.utc)
    officer.sso_issuer, officer.sso_subject = "https://id.example", "officer"  # so Unlink is offered
    finding = factories.FindingFactory(reference="AFI1", lead=officer)
    measure = factories.MeasureFactory(owner=officer)
    reading = factories.ReadingFactory(measure=measure, entered_by=officer)
    action = factories.ActionFactory(owner=officer, findings=[finding], measures=[measure])
    document, revision = factories.document_evidence(
        uploaded_by=officer, findings=[finding], actions=[action]
    )
    returned = factories.EvidenceFactory(
        uploaded_by=officer,
        findings=[finding],
        status=EvidenceStatus.RETURNED,
        review_comment="Add the dates.",
    )
    survey = factories.SurveyFactory()
    group = factories.SurveyGroupFactory(survey=survey, audience=Audience.PARENTS_CARERS)
    comment = factories.SurveyCommentFactory(group=group)
    response = factories.YouSaidWeDidFactory(survey_id=survey.id)
    create_theme(
        people[Role.LEADER], "Waiting times", ""
    )  # a real service call, so there is an audit event to open
    event = db.session.scalar(sa.select(AuditEvent).limit(1))
    action_event = audit.record(
        people[Role.LEADER], "action.updated", action, before={"title": "Old"}, after={"title": "New"}
    )
    criterion = factories.CriterionFactory()  # with the finding linked, so its page offers Unlink
    criterion_link = CriterionLink(criterion_id=criterion.id, kind=LinkKind.FINDING, finding_id=finding.id)
    db.session.add(criterion_link)
    # a draft statement for the criterion, so its self-evaluation page offers Sign off
    db.session.add(
        SefVersion(
            criterion_id=criterion.id, number=1, working_well="Families wait less.", author_id=officer.id
        )
    )
    # an open inspection period with a request the officer owns, the document attached,
    # so its page offers Take off
    period = InspectionPeriod(notified_on=date(2026, 6, 1), opened_by_id=people[Role.LEADER].id)
    db.session.add(period)
    db.session.flush()
    info_request = InformationRequest(
        period_id=period.id,
        number=1,
        wording="Board minutes",
        owner_id=officer.id,
        category=RequestCategory.PARTNERSHIP,
        due_at=datetime.now(timezone.utc) + timedelta(days=3),
    )
    db.session.add(info_request)
    db.session.flush()
    db.session.add(RequestEvidence(request_id=info_request.id, evidence_id=document.id))
    channel = TeamsChannel(name="SEND leaders", webhook_url="https://teams.example.org/hook/abcd")
    db.session.add(channel)
    sso_domain = SsoRequiredDomain(domain="nhs.example")  # so the single sign-on page offers Remove
    db.session.add(sso_domain)
    db.session.commit()
    # the leader's API token, so their tokens page offers Revoke
    token, _ = make_token(people[Role.LEADER], "Power BI", today() + timedelta(days=30))
    open_session_record(officer.id, "Firefox on another computer")
    leader_session_key = open_session_record(people[Role.LEADER].id, "Firefox on another computer")
    leader_session = db.session.scalar(
        sa.select(UserSession).where(UserSession.key_hash == hash_key(leader_session_key))
    )
    ids = {
        "finding_id": finding.id,
        "action_id": action.id,
        "inspection_id": finding.inspection_id,
        "theme_id": finding.theme_id,
        "evidence_id": document.id,
        "file_id": revision.id,
        "measure_id": measure.id,
        "reading_id": reading.id,
        "survey_id": survey.id,
        "comment_id": comment.id,
        "response_id": response.id,
        "user_id": officer.id,
        "event_id": event.id,
        "returned_id": returned.id,
        "action_event_id": action_event.id,
        "session_id": leader_session.id,
        "leader_session_id": leader_session.id,
        "criterion_id": criterion.id,
        "link_id": criterion_link.id,
        "period_id": period.id,
        "request_id": info_request.id,
        "channel_id": channel.id,
        "domain_id": sso_domain.id,
        "token_id": token.id,
        "fmt": "xlsx",
        "name": "actions",
        "sef_fmt": "docx",
    }  # an export's format and a list's name, for the export addresses
    return {"people": people, "ids": ids}


def _url(app, endpoint: str, ids: dict) -> str:
    rule = next(rule for rule in app.url_map.iter_rules(endpoint) if "POST" in rule.methods)
    missing = rule.arguments - set(ids)
    assert not missing, (
        f"the fuzzer cannot fill {sorted(missing)} in {rule.rule}: add it to build_world's ids"
    )
    with app.test_request_context():
        return app.url_for(endpoint, **{name: ids[name] for name in rule.arguments})


def _who(target: Target, people: dict):
    """Someone the route admits: a leader where possible, else the first role that may;
    nobody for public pages."""
    if target.actor:
        return people[target.actor]
    rule = ROUTE_ACCESS[target.endpoint]
    if rule is is_public:
        return None
    return next((people[role] for role in ROLES if rule(people[role])), None)


def _pages_to_search(app, target: Target, url: str, ids: dict) -> list[str]:
    """Where the form may be: the page named for it, else the route's own page, then the blueprint's pages
    nearest in address, then the dashboard (where the sign-out button and the snapshot form are)."""
    if target.page:
        return [target.page.format(**ids)]
    own = (
        [url + target.query]
        if "GET" in {m for r in app.url_map.iter_rules(target.endpoint) for m in r.methods}
        else []
    )
    blueprint = target.endpoint.split(".")[0]
    pages = [
        rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods
        and rule.arguments <= set(ids)
        and all(type(rule._converters.get(name)).__name__ == "DatabaseIdConverter" for name in rule.arguments)
    ]
    nearest = sorted(
        (rule for rule in pages if rule.endpoint.split(".")[0] == blueprint),
        key=lambda rule: -len(os.path.commonprefix([rule.rule, url])),
    )
    with app.test_request_context():
        return own + [
            app.url_for(rule.endpoint, **{name: ids[name] for name in rule.arguments})
            for rule in nearest + [rule for rule in pages if rule.endpoint == "main.index"]
        ]


def find_form(app, client, target: Target, url: str, ids: dict) -> Form:
    """The form that posts to this address, read from the page a person would fill it in on."""
    if target.reach:
        responses = iter([(url, target.reach(client, ids))])
    else:
        responses = ((page, client.get(page)) for page in _pages_to_search(app, target, url, ids))
    for page, response in responses:
        html = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
        response.close()  # a download holds its file open until closed
        for form in read_forms(html, page) if response.status_code == 200 else []:
            if form.action == url:
                return form
    raise AssertionError(
        f"no page offers a form that posts to {url} ({target}): "
        "add how to reach it to SPECIAL in tests/fuzz/test_forms_fuzz.py"
    )


class _Errors(logging.Handler):
    """What the 500 handler logged, so that a failure shows the traceback, not only the status."""

    def __init__(self):
        super().__init__()
        self.seen: list[str] = []

    def emit(self, record):
        if record.exc_info:
            self.seen.append("".join(traceback.format_exception(*record.exc_info)))


def _send(client, url: str, pairs: list, files: list, raw: bool):
    if raw:
        body = urlencode(pairs, encoding="utf-8", errors="surrogatepass")
        return client.post(url, data=body, content_type="application/x-www-form-urlencoded")
    return client.post(
        url, data=MultiDict(pairs + files), content_type="multipart/form-data" if files else None
    )


def _same_form(page: str, url: str, form: Form) -> bool:
    """Whether the answer is the form again (as opposed to the next step, such as an import's preview)."""
    wanted = {field.name for field in form.fields if field.kind != "submit"} - {"csrf_token"}
    return any(other.action == form.action and wanted <= other.names for other in read_forms(page, url))


@pytest.mark.parametrize("target", TARGETS, ids=str)
def test_no_post_to_any_form_is_answered_with_a_server_error(app, client_as, target):
    world = build_world()
    ids = {**world["ids"], **{name: world["ids"][source] for name, source in target.ids}}
    person = _who(target, world["people"])
    client = app.test_client() if person is None else client_as(person)
    url = _url(app, target.endpoint, ids)
    form = find_form(app, client, target, url, ids)
    errors = _Errors()
    app.logger.addHandler(errors)
    try:

        @FUZZ
        @given(submissions(form))
        def post_anything(submission):
            pairs, files, raw = submission
            errors.seen.clear()
            response = _send(client, url + target.query, pairs, files, raw)
            page = (
                response.get_data(as_text=True) if response.mimetype.startswith("text/") else ""
            )  # not a download
            response.close()
            if os.environ.get("FUZZ_DEBUG"):
                print(
                    target,
                    response.status_code,
                    response.headers.get("Location", "")[:40],
                    repr(pairs)[:300],
                    len(files),
                    raw,
                )
            assert response.status_code != 500, f"POST {url} answered 500:\n{''.join(errors.seen)}"
            assert response.status_code in EXPECTED, f"POST {url} answered {response.status_code}"
            if (
                response.status_code == 200
                and response.mimetype == "text/html"
                and _same_form(page, url, form)
            ):
                # a form shown again says what was wrong, or (a new API token, whose value is shown only on
                # the page answering the post) what was made
                assert (
                    "govuk-error-summary" in page
                    or "govuk-error-message" in page
                    or "govuk-panel--confirmation" in page
                ), f"POST {url} came back as the same form with nothing saying what was wrong"

        post_anything()
    finally:
        app.logger.removeHandler(errors)


def test_every_route_that_accepts_post_is_fuzzed(app):
    served = {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods} - NOT_FORMS
    assert served == {target.endpoint for target in TARGETS}
    assert set(SPECIAL) <= served, "SPECIAL names routes that no longer exist"


# Filters: the lists' GET forms, whose fields travel in the address ------------------------------

EXTRA_ARGS = [
    "page",
    "sort",
    "order",
    "archived",
    "as_at",
    "restricted",
    "expired",
    "inspection",
    "theme",
    "partner",
]


@st.composite
def queries(draw, form: Form) -> list:
    """A filtered address: the form's fields, some disrupted,
    and the list's other arguments (page, sort, ...)."""
    pairs = []
    for field in form.fields:
        if field.kind != "submit":
            pairs += [(field.name, value) for value in draw(st.one_of(_plausible(field), _disrupted(field)))]
    extra = st.lists(
        st.tuples(
            st.sampled_from(EXTRA_ARGS), st.one_of(numbers, texts, st.sampled_from(["1", "desc", "due"]))
        ),
        max_size=3,
    )
    return pairs + draw(extra)


def _filter_pages(app, ids: dict) -> list[tuple[str, str]]:
    """(endpoint, address) of every page whose address holds only ids or nothing."""
    pages = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            numbered = all(
                type(rule._converters.get(name)).__name__ == "DatabaseIdConverter" for name in rule.arguments
            )
            if (
                "GET" in rule.methods
                and numbered
                and rule.arguments <= set(ids)
                and rule.endpoint != "static"
            ):
                pages.append(
                    (
                        rule.endpoint,
                        app.url_for(rule.endpoint, **{name: ids[name] for name in rule.arguments}),
                    )
                )
    return sorted(pages)


def test_no_filter_in_an_address_is_answered_with_a_server_error(app, client_as):
    world = build_world()
    errors = _Errors()
    app.logger.addHandler(errors)
    filtered = []
    try:
        for endpoint, url in _filter_pages(app, world["ids"]):
            person = _who(Target(endpoint), world["people"])
            client = app.test_client() if person is None else client_as(person)
            response = client.get(url)
            html = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
            response.close()
            for form in read_forms(html, url, method="GET") if response.status_code == 200 else []:
                filtered.append(url)
                # the lists' CSV downloads read the same filters from the address
                twins = (
                    [url] + [f"/exports/{url.strip('/')}.csv"] if url in ("/actions", "/evidence") else [url]
                )

                @FUZZ
                @given(queries(form))
                def filter_anything(pairs):
                    for address in twins:
                        errors.seen.clear()
                        method = "POST" if address.startswith("/exports/") else "GET"  # a download is a POST
                        response = client.open(
                            address + "?" + urlencode(pairs, encoding="utf-8", errors="surrogatepass"),
                            method=method,
                        )
                        response.close()
                        assert response.status_code != 500, (
                            f"{method} {address} answered 500:\n{''.join(errors.seen)}"
                        )
                        assert response.status_code in (200, 302, 400), (
                            f"{method} {address} answered {response.status_code}"
                        )

                filter_anything()
    finally:
        app.logger.removeHandler(errors)
    assert {"/actions", "/evidence", "/findings", "/"} <= set(filtered)
