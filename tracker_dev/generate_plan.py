"""The generated partnership's plan: users, themes, inspections and findings, and the actions that answer
them, with their due date revisions and progress updates.

Each stage takes the running generator (tracker_dev.generate) for its random streams and its writer of rows
and audit events, and leaves behind the people, findings and actions the later stages link to.
"""

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from tracker.auth.models import User
from tracker.demo.data import THEMES
from tracker.models import Role
from tracker.plan.models import (
    Action,
    DueDateRevision,
    Finding,
    FindingKind,
    Inspection,
    InspectionOutcome,
    InspectionType,
    ProgressUpdate,
    Theme,
    action_contributor,
    action_finding,
)
from tracker_dev import generate_text as words

EMAIL = "{role}{number}@generated.example"


def _spread(total: int, parts: int, rng: random.Random) -> list[int]:
    """`total` shared unevenly over `parts`, every part getting one first when there are enough."""
    weights = [rng.uniform(0.6, 1.4) for _ in range(parts)]
    floor = 1 if total >= parts else 0
    share = [(total - floor * parts) * weight / sum(weights) for weight in weights]
    counts = [floor + int(value) for value in share]
    for index in sorted(range(parts), key=lambda i: int(share[i]) - share[i])[: total - sum(counts)]:
        counts[index] += 1
    return counts


@dataclass(slots=True)
class PlannedFinding:
    id: int
    theme: int
    kind: FindingKind
    reference: str
    made: datetime
    partner: str
    outcome: int  # the area's inspection outcome, 1 to 3: the weaker the area, the more of its work slips
    pull: float  # how many actions it draws: a few findings get many, most a handful
    slips: bool  # whether work on it runs late: overdue actions gather on a few findings, as in real plans
    actions: list[int] = field(default_factory=list)


@dataclass(slots=True)
class PlannedAction:
    id: int
    reference: str
    theme: int
    findings: list[int]
    owner: int
    contributors: list[int]
    created: datetime
    start: date
    due: date
    fate: str
    updates: int = 0


KINDS = {  # finding kinds by inspection type, for an area whose outcome was not "systemic failings"
    InspectionType.FULL: {FindingKind.STRENGTH: 3, FindingKind.AREA_FOR_IMPROVEMENT: 7},
    InspectionType.MONITORING: {FindingKind.STRENGTH: 2, FindingKind.AREA_FOR_IMPROVEMENT: 8},
    InspectionType.SELF_EVALUATION: {FindingKind.STRENGTH: 1, FindingKind.SELF_IDENTIFIED: 3},
}
PREFIXES = {
    FindingKind.STRENGTH: "S",
    FindingKind.AREA_FOR_IMPROVEMENT: "AFI",
    FindingKind.AREA_FOR_PRIORITY_ACTION: "APA",
    FindingKind.SELF_IDENTIFIED: "SI",
}
OUTCOMES = {
    1: "Arrangements typically lead to positive experiences and outcomes for children and young people "
    "with SEND.",
    2: "Arrangements lead to inconsistent experiences and outcomes for children and young people with SEND.",
    3: "There are widespread and/or systemic failings leading to significant concerns: "
    "a priority action plan is required.",
}
RESULTS = {1: InspectionOutcome.POSITIVE, 2: InspectionOutcome.INCONSISTENT, 3: InspectionOutcome.SYSTEMIC}
PARTNERS = {"council": 40, "icb": 20, "both": 35, "other": 5}
# where an action with updates ended up (one without is not started): past its due date, work on a finding
# that slips is often still open, work on the others mostly done
FATES_DUE = {
    True: {"complete": 50, "in_progress": 35, "on_hold": 10, "cancelled": 5},
    False: {"complete": 94, "in_progress": 2, "cancelled": 4},
}
FATES_NOT_DUE = {"complete": 10, "in_progress": 80, "on_hold": 7, "cancelled": 3}
SLIPS = {1: 0.1, 2: 0.2, 3: 0.35}  # by the area's outcome, the share of findings whose work runs late
QUIET = {1: 0.12, 2: 0.25, 3: 0.4}  # the share of open actions with no update for more than 30 days


# People and the plan ----------------------------------------------------------------------


def users(gen) -> None:
    rng, total = gen.rng("users"), max(4, gen.scale.users)
    leaders, officers = max(1, round(total * 0.05)), max(1, round(total * 0.7))
    viewers = total - 1 - leaders - officers
    officers, viewers = (officers, viewers) if viewers >= 1 else (officers + viewers - 1, 1)
    for role, count in (
        (Role.ADMIN, 1),
        (Role.LEADER, leaders),
        (Role.OFFICER, officers),
        (Role.VIEWER, viewers),
    ):
        for number in range(1, count + 1):
            user_id, email = len(gen.out.labels) + 1, EMAIL.format(role=role.value, number=number)
            joined = gen.moment(gen.start - timedelta(days=rng.randint(30, 200)), rng)
            gen.out.add(
                User.__table__,
                {
                    "id": user_id,
                    "email": email,
                    "name": words.person_name(rng),
                    "role": role,
                    "password_hash": gen.password_hash,
                    "active": True,
                    "last_signed_in_at": None,
                    "created_at": joined,
                    "updated_at": joined,
                },
            )
            gen.out.labels[user_id] = email
            gen.people.setdefault(role.value, []).append(user_id)
            gen.out.created("user", user_id, joined, email)
    gen.say(f"Users: {total:,}")


def themes(gen) -> None:
    at = datetime.combine(gen.start - timedelta(days=20), datetime.min.time(), timezone.utc)
    for position, (name, description) in enumerate(THEMES):
        gen.out.add(
            Theme.__table__,
            {
                "id": position + 1,
                "name": name,
                "description": description,
                "position": position,
                "archived_at": None,
            },
        )
        gen.out.created("theme", position + 1, at, name)


def inspections_and_findings(gen) -> None:
    rng = gen.rng("inspections")
    areas: dict[str, tuple[int, int]] = {}  # an area's offset in days and its outcome
    kinds = (InspectionType.FULL, InspectionType.SELF_EVALUATION, InspectionType.MONITORING)
    made_on = []
    for index in range(gen.scale.inspections):
        area = words.AREAS[(index // 3) % len(words.AREAS)]
        offset, outcome = areas.setdefault(area, (rng.randint(0, 240), rng.choices((1, 2, 3), (3, 5, 2))[0]))
        kind = kinds[index % 3]
        later = {
            InspectionType.FULL: (0, 60),
            InspectionType.SELF_EVALUATION: (330, 420),
            InspectionType.MONITORING: (560, 660),
        }[kind]
        begins = min(
            gen.start + timedelta(days=offset + rng.randint(*later)), gen.today - timedelta(days=150)
        )
        made_on.append(_inspection(gen, index + 1, area, kind, begins, outcome, rng))
    _findings(gen, made_on)
    gen.say(f"Inspections: {gen.scale.inspections:,}, findings: {len(gen.findings):,}")


def _inspection(
    gen, inspection_id: int, area: str, kind: InspectionType, begins: date, outcome: int, rng: random.Random
) -> tuple[int, InspectionType, int, datetime]:
    own = kind is InspectionType.SELF_EVALUATION
    ends = None if own else begins + timedelta(days=4)
    published = None if ends is None else ends + timedelta(days=rng.randint(35, 55))
    title = {
        InspectionType.FULL: f"Area SEND inspection of {area}, {begins:%B %Y}",
        InspectionType.MONITORING: f"Monitoring inspection of {area}, {begins:%B %Y}",
        InspectionType.SELF_EVALUATION: f"{area} partnership self-evaluation {begins.year}",
    }[kind]
    made = gen.moment(published or begins, rng, 9, 12)
    gen.out.add(
        Inspection.__table__,
        {
            "id": inspection_id,
            "title": title,
            "local_area": area,
            "type": kind,
            "start_date": begins,
            "end_date": ends,
            "published_on": published,
            "archived_at": None,
            "created_at": made,
            "updated_at": made,
            "inspectorates": "Self-evaluation by the SEND partnership board"
            if own
            else "Ofsted and the Care Quality Commission (CQC)",
            # only a full inspection reaches one of the framework's outcomes;
            # a monitoring inspection reports progress
            "outcome": RESULTS[outcome] if kind is InspectionType.FULL else None,
            "report_summary": "Areas the partnership found for itself." if own else OUTCOMES[outcome],
            "plan_due_on": None,
            "report_reference": ""
            if published is None
            else f"Ofsted and CQC letter published on {published.isoformat()}",
        },
    )
    gen.out.created("inspection", inspection_id, made, title)
    return inspection_id, kind, outcome, made


def _findings(gen, inspections: list[tuple[int, InspectionType, int, datetime]]) -> None:
    rng = gen.rng("findings")
    for (inspection_id, kind, outcome, made), count in zip(
        inspections, _spread(gen.scale.findings, len(inspections), rng)
    ):
        weights = dict(KINDS[kind])
        if outcome == 3 and kind is not InspectionType.SELF_EVALUATION:
            weights[FindingKind.AREA_FOR_PRIORITY_ACTION] = 3
        numbers: Counter[FindingKind] = Counter()
        late = False
        for _ in range(count):
            finding_kind = rng.choices(list(weights), list(weights.values()))[0]
            numbers[finding_kind] += 1
            # every inspection's first concern slips, so that even a small plan has work running late
            first = not late and finding_kind is not FindingKind.STRENGTH
            late = late or first
            _finding(
                gen,
                inspection_id,
                finding_kind,
                f"{PREFIXES[finding_kind]}{numbers[finding_kind]}",
                made,
                outcome,
                first,
                rng,
            )


def _finding(
    gen,
    inspection_id: int,
    kind: FindingKind,
    reference: str,
    made: datetime,
    outcome: int,
    slips: bool,
    rng: random.Random,
) -> None:
    theme = rng.randrange(len(THEMES))
    title, wording = words.finding_text(rng, words.THEME_KEYS[theme], kind.value)
    finding = PlannedFinding(
        len(gen.findings) + 1,
        theme,
        kind,
        reference,
        made,
        rng.choices(list(PARTNERS), list(PARTNERS.values()))[0],
        outcome,
        rng.lognormvariate(0, 0.8) * (0.15 if kind is FindingKind.STRENGTH else 1),
        rng.random() < SLIPS[outcome] or slips,
    )
    gen.findings.append(finding)
    gen.out.add(
        Finding.__table__,
        {
            "id": finding.id,
            "inspection_id": inspection_id,
            "theme_id": theme + 1,
            "kind": kind,
            "reference": reference,
            "title": title,
            "wording": wording,
            "accountable_partner": finding.partner,
            "lead_id": rng.choice(gen.people["leader"]),
            "version": 1,
            "archived_at": None,
            "created_at": made,
            "updated_at": made,
        },
    )
    gen.out.created("finding", finding.id, made, reference)


# Actions, due date revisions and progress updates -------------------------------------------------


def actions_and_updates(gen) -> None:
    rng = gen.rng("actions")
    owners = _owners(gen, rng)
    for index, owner in enumerate(owners):
        gen.actions.append(_action(gen, index + 1, owner, rng))
    # updates come with time: none before an action starts, more the longer it has run
    weights = [max(0, (gen.today - a.start).days) / 30 * rng.uniform(0.3, 1.7) for a in gen.actions]
    if not any(weights):
        weights = [1] * len(gen.actions)
    for index, count in Counter(rng.choices(range(len(gen.actions)), weights, k=gen.scale.updates)).items():
        gen.actions[index].updates = count
    for action in gen.actions:
        _write_action(gen, action, rng)
        gen.out.checkpoint()
    gen.say(f"Actions: {len(gen.actions):,}, progress updates: {gen.scale.updates:,}")


def _owners(gen, rng: random.Random) -> list[int]:
    """A few officers own many actions (a Zipf-like share) and leaders own some; officer1 owns the most."""
    officers, leaders = gen.people["officer"], gen.people["leader"]
    cumulative, total = [], 0.0
    for rank in range(len(officers)):
        total += 1 / (rank + 1) ** 1.1
        cumulative.append(total)
    owners = [
        rng.choice(leaders) if rng.random() < 0.1 else officer
        for officer in rng.choices(officers, cum_weights=cumulative, k=gen.scale.actions)
    ]
    tally, first = Counter(owners), officers[0]
    busiest = max(officers, key=lambda person: (tally[person], person == first))
    owners = [first if o == busiest else busiest if o == first else o for o in owners]
    tally = Counter(owners)
    for index, owner in enumerate(owners):  # a leader, or an equal officer, may still match officer1
        if owner != first and tally[owner] >= tally[first]:
            owners[index], tally[owner], tally[first] = first, tally[owner] - 1, tally[first] + 1
    return owners


def _action(gen, action_id: int, owner: int, rng: random.Random) -> PlannedAction:
    concerns = [f for f in gen.findings if f.kind is not FindingKind.STRENGTH and not f.actions]
    first = concerns[0] if concerns else rng.choices(gen.findings, [f.pull for f in gen.findings])[0]
    answers = [first]
    if rng.random() < 0.25:
        same = [f for f in gen.findings if f.theme == first.theme and f is not first]
        answers += rng.sample(same, 1) if same else []
    for finding in answers:
        finding.actions.append(action_id)
    made = max(f.made for f in answers)
    created = min(
        made + timedelta(days=rng.randint(3, 60), hours=rng.randint(0, 6)),
        gen.moment(gen.today - timedelta(days=2), rng),
    )
    start = created.date() + timedelta(days=rng.randint(0, 30))
    team = gen.people["officer"] + gen.people["leader"]
    contributors = sorted(
        {rng.choice(team) for _ in range(rng.choices((0, 1, 2, 3), (40, 35, 18, 7))[0])} - {owner}
    )
    return PlannedAction(
        action_id,
        f"A{action_id}",
        first.theme,
        [f.id for f in answers],
        owner,
        contributors,
        created,
        start,
        start + timedelta(days=rng.randint(60, 540)),
        "",
    )


def _write_action(gen, action: PlannedAction, rng: random.Random) -> None:
    title, description, outcome = words.action_text(rng, words.THEME_KEYS[action.theme])
    due = _revisions(gen, action, rng)
    if action.start >= gen.today or not action.updates:
        action.fate, action.updates = "not_started", 0
    else:
        fates = FATES_DUE[gen.findings[action.findings[0] - 1].slips] if due < gen.today else FATES_NOT_DUE
        action.fate = rng.choices(list(fates), list(fates.values()))[0]
    gen.out.created("action", action.id, action.created, action.reference)
    status, percent, changed = _updates(gen, action, due, rng)
    override = None
    if status in ("in_progress", "on_hold") and rng.random() < 0.03:
        override = _override(gen, action, changed, rng)
        changed = max(changed, override[2])
    gen.out.add(
        Action.__table__,
        {
            "id": action.id,
            "reference": action.reference,
            "title": title,
            "description": description,
            "intended_outcome": outcome,
            "owner_id": action.owner,
            "partner": gen.findings[action.findings[0] - 1].partner,
            "priority": rng.choices(("high", "medium", "low"), (3, 5, 2))[0],
            "start_date": action.start,
            "due_date": action.due,
            "revised_due_date": due if due != action.due else None,
            "status": status,
            "percent_complete": percent,
            "rag_override": override and override[0],
            "rag_override_reason": override and override[1],
            "version": 1,
            "archived_at": None,
            "created_at": action.created,
            "updated_at": changed,
        },
    )
    for finding_id in action.findings:
        gen.out.link(action_finding, action.id, finding_id)
    for person in action.contributors:
        gen.out.link(action_contributor, action.id, person)


def _revisions(gen, action: PlannedAction, rng: random.Random) -> date:
    """Some actions' due dates moved, once or twice, each with its reason; returns the due date in force."""
    due, latest = action.due, gen.today - timedelta(days=1)
    earliest = action.created.date() + timedelta(days=30)
    if earliest >= latest or rng.random() >= 0.15:
        return due
    for day in sorted(gen.day(rng, earliest, latest) for _ in range(rng.choices((1, 2), (4, 1))[0])):
        new = due + timedelta(days=rng.randint(30, 180))
        by = action.owner if rng.random() < 0.6 else rng.choice(gen.people["leader"])
        at, reason = gen.moment(day, rng), words.fill(rng, rng.choice(words.REVISION_REASONS))
        gen.out.add(
            DueDateRevision.__table__,
            {
                "id": gen.out.next_id(DueDateRevision.__table__),
                "action_id": action.id,
                "previous_due_date": due,
                "new_due_date": new,
                "reason": reason,
                "changed_by_id": by,
                "changed_at": at,
            },
        )
        gen.out.event(
            "action.due_date_revised",
            "action",
            action.id,
            at,
            actor=by,
            before={"due_date": due.isoformat()},
            after={"due_date": new.isoformat(), "reason": reason},
        )
        due = new
    return due


def _updates(gen, action: PlannedAction, due: date, rng: random.Random) -> tuple[str, int, datetime]:
    """Write the action's dated updates, each moving its percent and status; returns where it ended up."""
    status, percent, changed = "not_started", 0, action.created
    if not action.updates:
        return status, percent, changed
    low, last_day = max(action.start, action.created.date()), gen.today - timedelta(days=1)
    outcome = gen.findings[action.findings[0] - 1].outcome
    if action.fate == "complete":
        last = min(max(due + timedelta(days=rng.randint(-45, 30)), low), last_day)
    elif action.fate == "cancelled":
        last = gen.day(rng, low, last_day)
    else:  # open: some have gone quiet for more than 30 days, at least one in even the smallest plan
        quiet = rng.random() < QUIET[outcome] or not gen.gone_quiet
        last = min(
            max(gen.today - timedelta(days=rng.randint(31, 200) if quiet else rng.randint(1, 25)), low),
            last_day,
        )
        gen.gone_quiet = gen.gone_quiet or (gen.today - last).days > 30
    days = sorted(gen.day(rng, low, last) for _ in range(action.updates - 1)) + [last]
    # open actions are about where a straight line from start to due date puts them, less so in weaker areas
    expected = 100 * (last - action.start).days / max(1, (due - action.start).days)
    behind = {1: 0, 2: 8, 3: 16}[outcome] + (25 if action.fate == "on_hold" else 0)
    final = {"complete": 100, "cancelled": 5 * rng.randint(0, 8)}.get(
        action.fate, min(95, max(5, 5 * round((expected - behind + rng.gauss(0, 12)) / 5)))
    )
    for step, day in enumerate(days, start=1):
        now = action.fate if step == len(days) else "in_progress"
        reached = (
            final
            if step == len(days)
            else min(95, 5 * round(final * step / len(days) * rng.uniform(0.8, 1) / 5))
        )
        reached = max(percent, reached) if now != "cancelled" else percent
        changed = _update(gen, action, day, now, reached, status, percent, rng)
        status, percent = now, reached
    return status, percent, changed


def _update(
    gen, action: PlannedAction, day: date, status: str, percent: int, was: str, had: int, rng: random.Random
) -> datetime:
    author = rng.choice(action.contributors) if action.contributors and rng.random() < 0.25 else action.owner
    at, body = gen.moment(day, rng), words.update_text(rng, status)
    update_id = gen.out.next_id(ProgressUpdate.__table__)
    gen.out.add(
        ProgressUpdate.__table__,
        {
            "id": update_id,
            "action_id": action.id,
            "author_id": author,
            "written_on": day,
            "body": body,
            "percent_complete": percent,
            "status": status,
            "created_at": at,
            "rag_note": words.fill(rng, "Behind plan; a recovery plan is agreed with {role}.")
            if rng.random() < 0.05
            else None,
        },
    )
    gen.out.created("progress_update", update_id, at, action.reference, actor=author)
    before = {
        name: value
        for name, value in (("percent_complete", had), ("status", was))
        if value != {"percent_complete": percent, "status": status}[name]
    }
    if before:
        gen.out.event(
            "action.progress_reported",
            "action",
            action.id,
            at,
            actor=author,
            before=before,
            after={name: {"percent_complete": percent, "status": status}[name] for name in before},
        )
    return at


def _override(gen, action: PlannedAction, after: datetime, rng: random.Random) -> tuple[str, str, datetime]:
    colour, reason = rng.choice(
        (
            ("red", "The figures behind this are worse than the dates suggest."),
            ("green", "Recovery plan agreed and funded: on track despite the dates."),
        )
    )
    at = min(after + timedelta(days=rng.randint(1, 20)), gen.moment(gen.today - timedelta(days=1), rng))
    leader = rng.choice(gen.people["leader"])
    gen.out.event(
        "action.rag_overridden",
        "action",
        action.id,
        at,
        actor=leader,
        before={"rag_override": None, "rag_override_reason": None},
        after={"rag_override": colour, "rag_override_reason": reason},
    )
    return colour, reason, at
