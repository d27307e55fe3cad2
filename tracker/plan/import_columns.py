"""What a plan import's columns and values can mean: the fields, the headings that suggest them, and the small
vocabularies (partners, RAG, status) and name matching that read a council's own words (docs/import.md)."""

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from tracker.auth.models import User
from tracker.mapping import load_mapping
from tracker.plan.models import ActionStatus, Partner
from tracker.plan.rag import Rag
from tracker.spreadsheets import heading_key

LEAVE_OUT = "ignore"
COLUMNS_KIND, PARTNERS_KIND, PARTNER_WORDS_SIGNATURE = "plan.columns", "plan.partners", "words"


@dataclass(frozen=True)
class Field:
    key: str
    label: str  # as the mapping page offers it
    required: bool
    description: str  # what to write in it (the template's notes and docs/import.md)
    headings: tuple[str, ...]  # headings, as compared (words only), that suggest this field


FIELDS: list[Field] = [
    Field(
        "reference",
        "Action reference",
        True,
        "The action's reference, such as A1 or 1.2. Each once in the file; "
        "an action already in the tracker with the same reference (ignoring capitals) is updated.",
        (
            "reference",
            "ref",
            "ref no",
            "action ref",
            "action reference",
            "action no",
            "action number",
            "no",
            "id",
            "action id",
            "#",
        ),
    ),
    Field(
        "title",
        "Action title",
        False,
        "A short name for the action, up to 200 characters. With no title column, "
        "the action's first sentence is its title.",
        ("title", "action title", "short title", "name"),
    ),
    Field(
        "description",
        "Action: what will be done",
        False,
        "What will be done.",
        (
            "description",
            "action",
            "actions",
            "action description",
            "what will be done",
            "what we will do",
            "key actions",
            "key action",
            "activity",
            "activities",
            "task",
            "tasks",
            "detail",
        ),
    ),
    Field(
        "intended_outcome",
        "Intended outcome",
        False,
        "What will be different for children, young people and "
        "families. Blank: recorded as not stated, with a warning.",
        (
            "intended outcome",
            "intended outcomes",
            "outcome",
            "outcomes",
            "expected outcome",
            "success criteria",
            "success measure",
            "intended impact",
            "impact",
            "what will be different",
            "measure of success",
        ),
    ),
    Field(
        "findings",
        "Findings it answers",
        True,
        "The findings' references separated by ';' (AFI1; AFI3, or 3:AFI1 "
        "when two inspections have an AFI1), or the finding's wording as the report gives it.",
        (
            "findings",
            "finding",
            "area for improvement",
            "areas for improvement",
            "afi",
            "area for priority action",
            "areas for priority action",
            "area for development",
            "areas for development",
            "priority area",
            "recommendation",
            "recommendations",
            "area of focus",
            "improvement area",
            "issue",
            "issues",
        ),
    ),
    Field(
        "measures",
        "Measures",
        False,
        "Names of the measures that will show impact, separated by ';'.",
        ("measures", "measure", "kpi", "kpis", "performance measure", "performance measures", "indicators"),
    ),
    Field(
        "owner",
        "Owner (email or name)",
        True,
        "The owner's email or name, an active user. More than one person "
        "(Jo Bloggs / Sam Patel): the first owns the action, the others contribute.",
        (
            "owner email",
            "owner",
            "lead",
            "lead officer",
            "action owner",
            "responsible officer",
            "responsible",
            "responsible person",
            "accountable officer",
            "lead person",
            "officer",
            "owner name",
            "lead name",
            "who",
        ),
    ),
    Field(
        "contributors",
        "Contributors (emails or names)",
        False,
        "Emails or names of contributors, active users, separated by ';'.",
        (
            "contributor emails",
            "contributors",
            "contributor",
            "supported by",
            "support",
            "others involved",
            "supporting officers",
        ),
    ),
    Field(
        "partner",
        "Partner",
        True,
        "Council, ICB, Council and ICB, or Other, or the plan's own words for them "
        "(LA, Health, Joint, PCF...), matched on the mapping page.",
        (
            "partner",
            "lead partner",
            "agency",
            "lead agency",
            "organisation",
            "partner agency",
            "accountable partner",
            "lead organisation",
        ),
    ),
    Field("priority", "Priority", False, "High, medium or low. Blank means medium.", ("priority",)),
    Field(
        "start_date",
        "Start date",
        False,
        "A date cell, or a date as the target date column takes it.",
        ("start date", "start", "date started", "start by"),
    ),
    Field(
        "due_date",
        "Target date",
        True,
        "A date cell, 31/03/2026, 31.3.26, Mar-26, March 2026 (the month's last "
        "day) or Q4 2025/26 (the financial quarter's last day). TBC or blank: no date yet, with a warning.",
        (
            "due date",
            "target date",
            "due",
            "deadline",
            "completion date",
            "by when",
            "timescale",
            "timescales",
            "target",
            "date due",
            "end date",
            "target completion date",
            "target completion",
            "when",
            "timeframe",
        ),
    ),
    Field(
        "status",
        "Status",
        False,
        "Not started, in progress, on hold, complete or cancelled. Blank: worked out "
        "from % complete and the RAG.",
        ("status", "action status", "progress status"),
    ),
    Field(
        "percent_complete",
        "% complete",
        False,
        "A whole number from 0 to 100 (40 or 40%). Blank means 0.",
        (
            "percent complete",
            "% complete",
            "percentage complete",
            "progress %",
            "% progress",
            "completion %",
            "complete %",
            "% completed",
            "percent",
            "percentage",
            "%",
        ),
    ),
    Field(
        "rag",
        "RAG status",
        False,
        "Red, amber or green (R, A, G), kept as a leader's override with the reason "
        "“imported”; blue or complete marks the action complete.",
        ("rag", "rag status", "rag rating", "brag", "brag rating", "brag status", "rating"),
    ),
    Field(
        "progress",
        "Progress update",
        False,
        "The latest progress, kept as the action's first progress update, dated on the day of the import.",
        (
            "progress update",
            "progress",
            "update",
            "latest update",
            "progress to date",
            "commentary",
            "comments",
            "comment",
            "narrative",
            "position statement",
            "current position",
            "update on progress",
            "progress made",
        ),
    ),
    Field(
        "evidence",
        "Evidence",
        False,
        "The evidence the plan names, kept in the first progress update's text.",
        (
            "evidence",
            "evidence of impact",
            "evidence of progress",
            "evidence impact",
            "evidence of completion",
            "supporting evidence",
        ),
    ),
]
CHOICES = {LEAVE_OUT: "Leave out", **{field.key: field.label for field in FIELDS}}
# single words distinctive enough to name a field inside a longer heading ("RAG at March", "Evidence (links)")
_DISTINCT = {"rag", "brag", "evidence", "partner", "priority", "owner", "deadline", "timescale", "kpi"}


def _words(text: object) -> str:
    return " ".join(re.sub(r"[^a-z0-9%#]+", " ", heading_key(text)).split())


def heading_names() -> set[str]:
    """Every heading that suggests a field: how the row of headings is found below a plan's title rows."""
    return {heading for field in FIELDS for heading in field.headings}


def suggest_columns(headings: dict[str, object]) -> dict[str, str]:
    """A field (or "ignore") for each column, by key, from its heading: each field to one column at most, an
    exact heading before one that only contains a suggesting phrase, the longest phrase winning."""
    found: list[tuple[int, int, int, str, str]] = []  # (exactness, length, -position, key, field)
    for position, (key, heading) in enumerate(headings.items()):
        words = _words(heading)
        for field in FIELDS:
            for phrase in field.headings:
                if words == phrase:
                    found.append((2, len(phrase), -position, key, field.key))
                elif (" " in phrase or phrase in _DISTINCT) and re.search(
                    rf"(^| ){re.escape(phrase)}( |$)", words
                ):
                    found.append((1, len(phrase), -position, key, field.key))
    roles = dict.fromkeys(headings, LEAVE_OUT)
    taken: set[str] = set()
    for _, _, _, key, field_key in sorted(found, reverse=True):
        if roles[key] == LEAVE_OUT and field_key not in taken:
            roles[key], taken = field_key, taken | {field_key}
    return roles


# Partners ----------------------------------------------------------------------------------------

DEFAULT_PARTNER_WORDS: dict[str, Partner] = {
    **dict.fromkeys(
        (
            "council",
            "la",
            "local authority",
            "education",
            "social care",
            "childrens services",
            "children s services",
            "send service",
        ),
        Partner.COUNCIL,
    ),
    **dict.fromkeys(("icb", "health", "nhs", "ccg", "integrated care board", "nhs icb"), Partner.ICB),
    **dict.fromkeys(
        (
            "both",
            "joint",
            "council and icb",
            "la and icb",
            "la and health",
            "health and la",
            "icb and la",
            "council and health",
            "partnership",
            "all partners",
            "all",
        ),
        Partner.BOTH,
    ),
    **dict.fromkeys(
        ("other", "pcf", "parent carer forum", "schools", "school", "settings", "vcs", "voluntary sector"),
        Partner.OTHER,
    ),
}


def partner_key(value: object) -> str:
    """A partner as written, as compared: "LA / ICB", "la & icb" and "LA and ICB" are the same."""
    text = re.sub(r"\s*[&/+]\s*", " and ", heading_key(value).replace("’", "'"))
    return " ".join(re.sub(r"[^a-z0-9 ]+", " ", text).split())


def partner_words() -> dict[str, Partner]:
    """The vocabulary: the defaults, with what leaders chose on the mapping page before over them."""
    learned = load_mapping(PARTNERS_KIND, PARTNER_WORDS_SIGNATURE) or {}
    valid = {key: Partner(value) for key, value in learned.items() if value in Partner._value2member_map_}
    return {**DEFAULT_PARTNER_WORDS, **valid}


# RAG and status ----------------------------------------------------------------------------------

COMPLETE = "complete"  # a blue RAG
_RAG_WORDS = {
    **dict.fromkeys(("r", "red"), Rag.RED),
    **dict.fromkeys(("a", "amber", "yellow", "orange"), Rag.AMBER),
    **dict.fromkeys(("g", "green"), Rag.GREEN),
    **dict.fromkeys(("b", "blue", "complete", "completed", "done", "closed"), COMPLETE),
    **dict.fromkeys(("r a", "red amber", "ra"), Rag.RED),
    **dict.fromkeys(("a g", "amber green", "ag"), Rag.AMBER),
}
STATUS_WORDS = {
    **{status.value.replace("_", " "): status for status in ActionStatus},
    "not yet started": ActionStatus.NOT_STARTED,
    "started": ActionStatus.IN_PROGRESS,
    "ongoing": ActionStatus.IN_PROGRESS,
    "on track": ActionStatus.IN_PROGRESS,
    "delayed": ActionStatus.IN_PROGRESS,
    "paused": ActionStatus.ON_HOLD,
    "completed": ActionStatus.COMPLETE,
    "done": ActionStatus.COMPLETE,
    "closed": ActionStatus.COMPLETE,
    "canceled": ActionStatus.CANCELLED,
}


def read_rag(value: str) -> tuple[Rag | str | None, str | None]:
    """(a colour, or COMPLETE for blue, or None for blank; a warning when two colours were given); KeyError
    when the value is not a RAG at all."""
    key = " ".join(re.sub(r"[^a-z]+", " ", value.lower()).split())
    if not key:
        return None, None
    found = _RAG_WORDS[key]
    if isinstance(found, Rag) and (" " in key or key in ("ra", "ag")):  # two colours: only ever a Rag
        return found, f"RAG “{value}” is kept as {found.value}, the less hopeful of the two."
    return found, None


# People ------------------------------------------------------------------------------------------

_TITLES = {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "cllr", "sir", "dame"}


def name_key(written: str) -> str:
    """A person's name as compared: no capitals, titles, dots or roles in brackets; "Patel,
    Sam" is "sam patel"."""
    text = re.sub(r"\([^)]*\)", " ", written)
    if text.count(",") == 1:
        surname, forename = (part.strip() for part in text.split(","))
        if surname and forename and " " not in surname:
            text = f"{forename} {surname}"
    words = [word for word in re.sub(r"[^\w'’-]+", " ", text.lower()).split() if word not in _TITLES]
    return " ".join(words)


def split_people(written: str) -> list[str]:
    """The people a cell names: "Jo Bloggs / Sam Patel", "a@x; b@y", "Jo Bloggs and Sam Patel"; "Patel,
    Sam" is one."""
    text = re.sub(r"\([^)]*\)", " ", written)
    one_comma_name = text.count(",") == 1 and all(
        len(part.split()) == 1 for part in text.split(",") if part.strip()
    )
    separators = r"\s*(?:[;/&\n]|\band\b" + ("" if one_comma_name else "|,") + r")\s*"
    return list(dict.fromkeys(part.strip() for part in re.split(separators, text) if part.strip()))


class People:
    """Active users by email and by name, loaded once for a whole file."""

    def __init__(self, users: Iterable[User]):
        self.by_email: dict[str, User] = {}
        self.by_name: dict[str, list[User]] = defaultdict(list)
        for user in users:
            self.by_email[user.email.lower()] = user
            self.by_name[name_key(user.name)].append(user)

    def find(self, written: str) -> list[User]:
        """Everyone `written` could mean: one, none, or several who share the name."""
        if "@" in written:
            user = self.by_email.get(written.strip().lower())
            return [user] if user else []
        return list(self.by_name.get(name_key(written), []))
