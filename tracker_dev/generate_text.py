"""Words for the generated partnership: names, titles and sentences about SEND services, and small
evidence files.

Every function takes a `random.Random`, so the same seed writes the same words.
"""

import random
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

# in the order of tracker.demo.data.THEMES
THEME_KEYS = ("waiting", "communication", "ehcp", "coproduction", "partnership", "demand")

FIRST_NAMES = (
    "Aisha Alex Amara Amir Anna Ben Bethan Callum Chloe Chris Daniel Deepa Eilidh Emma Farah Gareth "
    "Grace Hannah Harpreet Helen Imran Jack James Jas Jo Kate Kwame Laura Liam Lucy Maria Mark Megan "
    "Mohammed Nadia Naomi Neil Olivia Owen Priya Rachel Rhys Rob Ruth Sam Sara Sean Sophie Tom Usha Wei "
    "Yusuf Zainab Zoe"
).split()
LAST_NAMES = (
    "Ahmed Akhtar Baker Begum Bennett Brown Campbell Clarke Davies Edwards Evans Fisher Green Hall Harris "
    "Hughes Jackson James Jones Kaur Khan Kowalski Lewis Lopez Martin Mensah Morgan Murphy Nowak O'Brien "
    "Okafor Patel Phillips Price Reeves Roberts Robinson Shah Singh Smith Taylor Thomas Thompson Walker "
    "Ward Whitfield Williams Wilson Wood Wright Young"
).split()
AREAS = (
    "Northmoor",
    "Eastbridge",
    "Westfield Vale",
    "Southmere",
    "Ashby Downs",
    "Kingsholm",
    "Riverton",
    "Harrow Fields",
    "Oakhampton",
    "Millbrook",
    "Fenwick",
    "Castleford Hill",
)
LOCALITIES = ("", "north", "south", "east", "west")

WORDS = {
    "service": (
        "speech and language therapy",
        "occupational therapy",
        "physiotherapy",
        "autism assessment",
        "ADHD assessment",
        "the neurodevelopmental pathway",
        "educational psychology",
        "CAMHS",
        "community nursing",
        "wheelchair services",
        "audiology",
        "the sensory support service",
        "portage",
        "short breaks",
        "the specialist teaching service",
        "home-to-school transport",
        "SENDIASS",
        "the preparing for adulthood team",
        "the EHC assessment team",
        "equipment and adaptations",
    ),
    "group": (
        "children under five",
        "primary-aged children",
        "young people aged 16 to 25",
        "autistic children",
        "children with social, emotional and mental health needs",
        "children in care with SEND",
        "young people moving to adult services",
        "children on SEN support",
        "children with complex health needs",
        "children educated at home",
    ),
    "role": (
        "the designated clinical officer",
        "the head of SEND",
        "the SENDIASS manager",
        "the parent carer forum",
        "the principal educational psychologist",
        "the ICB SEND lead",
        "SENCOs",
        "the EHC plan team manager",
        "the therapies service manager",
        "the virtual school head",
        "the local offer officer",
        "the performance and data lead",
        "the commissioning manager",
        "head teachers",
    ),
    "doc": (
        "local offer",
        "SEND strategy",
        "joint commissioning strategy",
        "graduated approach toolkit",
        "EHC plan writing guide",
        "preparing for adulthood pathway",
        "short breaks statement",
        "SEND sufficiency plan",
        "parents' guide to EHC needs assessments",
        "transition protocol",
        "waiting-well leaflet",
    ),
    "forum": (
        "the SEND partnership board",
        "the parent carer forum",
        "the SENCO network",
        "the ICB quality committee",
        "the SEND operational group",
        "the young people's advisory group",
        "the schools forum",
    ),
    "problem": (
        "staff sickness",
        "a vacancy in the team",
        "the school holidays",
        "a rise in referrals",
        "delays in health advice",
        "the new case management system",
        "agency staff leaving",
        "a delay in ICB funding approval",
    ),
    "month": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "September",
        "October",
        "November",
    ),
    "term": ("the autumn term", "the spring term", "the summer term"),
}

STRENGTHS = {
    "waiting": (
        "Waiting times for {service} are beginning to reduce",
        "Waiting times for {service} are beginning to reduce, and families notice the difference.",
    ),
    "communication": (
        "Families value having a named worker in {service}",
        "Parents and carers value having a named worker who keeps them informed and answers quickly.",
    ),
    "ehcp": (
        "Health advice for EHC needs assessments is timely",
        "Advice from {service} for EHC needs assessments is timely, clear and focused on outcomes.",
    ),
    "coproduction": (
        "Co-production is recognised and valued",
        "Leaders respect the lived experience of children and their parents. Many examples show "
        "parents and young people shaping services.",
    ),
    "partnership": (
        "Established strategic and operational partnerships",
        "Strategic and operational partnerships are well established and teams across education, "
        "health and care work together effectively.",
    ),
    "demand": (
        "Leaders have a clear plan for specialist places",
        "Leaders understand the rising demand for specialist places and have a clear plan to meet it.",
    ),
}
CONCERNS = {
    "waiting": (
        (
            "Children and young people wait too long for {service}",
            "Too many children and young people wait too long for {service}. Some families told inspectors "
            "they had waited more than {weeks} weeks. Leaders know this, but the impact of their work is "
            "not yet seen.",
        ),
        (
            "Waits for {service} are longest for {group}",
            "Waiting times for {service} are reducing overall, but {group} still wait longer than they "
            "should.",
        ),
    ),
    "communication": (
        (
            "Parents find the local offer difficult to navigate",
            "Parents and carers say the local offer is difficult to navigate. Many do not know who to "
            "contact when their child's needs change, and some feel they have to fight for support.",
        ),
        (
            "Families are not kept informed while they wait for {service}",
            "Families waiting for {service} are not told how long the wait will be or what help is "
            "available meanwhile.",
        ),
    ),
    "ehcp": (
        (
            "Too few EHC plans are issued within 20 weeks",
            "Only a minority of new EHC plans are issued within the statutory 20 weeks. Delays in advice "
            "from {service} are a common cause.",
        ),
        (
            "The quality of EHC plans is too variable",
            "The quality of EHC plans is too variable. Outcomes are often vague and health sections are "
            "weak, so plans do not always describe the help a child needs.",
        ),
    ),
    "coproduction": (
        (
            "The voices of {group} do not yet shape services",
            "The voices of {group} are not yet routinely heard when services are planned or reviewed.",
        ),
    ),
    "partnership": (
        (
            "Leaders do not share data across the partnership",
            "Leaders across education, health and care do not share data well enough to know the "
            "impact of their work on children and young people.",
        ),
    ),
    "demand": (
        (
            "Demand for specialist places exceeds supply",
            "A significant increase in the number of children and young people with EHC plans has put "
            "pressure on specialist places. Some {group} travel long distances to school.",
        ),
        (
            "Support for children on SEN support is inconsistent",
            "Support for children on SEN support varies between schools, and some are not identified "
            "early enough.",
        ),
    ),
}

ACTIONS = {
    "waiting": (
        "Reduce the wait for {service} to under {small} weeks",
        "Clear the backlog of {group} waiting for {service}",
        "Publish monthly waiting-time figures for {service}",
        "Offer every family waiting for {service} a waiting-well contact",
        "Recruit {small} more practitioners to {service}",
        "Introduce a triage clinic for referrals to {service}",
    ),
    "communication": (
        "Rewrite the {doc} pages of the local offer with parents",
        "Give every family in {service} a named contact and a direct line",
        "Send families a monthly update while they wait for {service}",
        "Run drop-in sessions for parents with {role} each term",
        "Publish a plain-English guide to {service} for families",
    ),
    "ehcp": (
        "Issue new EHC plans within 20 weeks in at least {pct}% of cases",
        "Audit the quality of {small} EHC plans each term with {role}",
        "Improve the health advice given by {service} for EHC needs assessments",
        "Complete annual reviews of EHC plans for {group} on time",
        "Train caseworkers to write outcomes that are specific and measurable",
    ),
    "coproduction": (
        "Co-produce the {doc} with the parent carer forum",
        "Involve young people in recruiting staff for {service}",
        "Set up a young people's panel to review {service}",
        "Agree a co-production charter with {forum}",
    ),
    "partnership": (
        "Agree a joint commissioning plan for {service} with the ICB",
        "Build a shared SEND data dashboard for {forum}",
        "Set up joint case reviews between schools, health and care",
        "Agree a joint protocol for {group} with {role}",
    ),
    "demand": (
        "Open {small} new specialist places for {group}",
        "Expand resourced provision for {group} in mainstream schools",
        "Publish the {doc} and a five-year place-planning forecast",
        "Launch an early help offer for {group} on SEN support",
    ),
}

DESCRIPTION = (
    "This answers the inspectors' concern about {service}.",
    "{role} will lead the work with support from {forum}.",
    "The work starts with a review of current practice and a plan agreed with {forum}.",
    "We will track progress monthly and report to {forum} each quarter.",
    "Families told us that {service} was hard to reach, and this action responds to that.",
    "The change will be tested with {group} before it is rolled out.",
    "Funding has been agreed by the council and the ICB for {term}.",
)
OUTCOMES = (
    "Families of {group} wait less and say so in the next survey.",
    "At least {pct}% of families say they know who to contact.",
    "The measure moves steadily towards its target and {forum} can see the evidence.",
    "Case audits show that plans describe the help children need.",
    "Schools and health partners report the same figures to {forum}.",
)

UPDATE = {
    "progress": (
        "Met {role} to agree the next steps.",
        "{count} families were contacted this month.",
        "The waiting list for {service} fell from {before} to {after} children.",
        "The new referral form went live and early feedback from {role} is positive.",
        "Reported progress to {forum}, which accepted the plan for {term}.",
        "Training was delivered to {count} staff across {small} teams.",
        "A case audit of {small} files found clear improvement in the quality of outcomes.",
    ),
    "problem": (
        "Progress slowed because of {problem}.",
        "We are behind plan because of {problem}; the catch-up plan is with {role}.",
        "Recruitment to the vacant post is still open.",
    ),
    "next": (
        "Next step: a workshop with {forum} in {month}.",
        "We expect to finish the pilot by the end of {term}.",
        "Figures for {month} will go to {forum}.",
        "The revised leaflet goes to print in {month}.",
    ),
    "complete": (
        "The action is complete: the change is now part of normal practice.",
        "Completed and signed off by {forum}.",
    ),
    "on_hold": ("Paused while {problem} is resolved.",),
    "cancelled": ("Cancelled: the work has been merged into another action agreed by {forum}.",),
}
REVISION_REASONS = (
    "Delayed by {problem}; new date agreed with {role}.",
    "The scope grew after feedback from {forum}.",
    "Waiting for the ICB to confirm funding.",
    "Moved to align with the school year.",
    "Recruitment took longer than planned.",
    "The supplier could not deliver the system in time.",
)
RETURN_COMMENTS = (
    "Please add the date range this covers.",
    "This shows activity but not impact: add the figures before and after.",
    "The document names a child: remove personal details or mark it restricted.",
    "Link the finding this supports.",
    "The file is a draft: upload the version agreed by {forum}.",
)

EVIDENCE = {
    "document": (
        "Minutes of {forum}, {month_year}",
        "{Service} waiting list extract, {month_year}",
        "EHCP timeliness report, {month_year}",
        "Case audit summary: {group}",
        "Briefing for SENCOs on {service}",
        "Quality assurance report on EHC plans, {month_year}",
        "Training attendance record, {month_year}",
        "Draft {doc} for consultation",
    ),
    "link": (
        "{Doc} on the local offer",
        "Published newsletter to families, {month_year}",
        "Performance dashboard for {forum}",
        "Recording of the parents' webinar on {service}",
    ),
    "note": (
        "Note of a visit to {service}",
        "Feedback from {forum}, {month_year}",
        "Telephone follow-up with families of {group}",
        "Observation of a triage meeting",
    ),
}
EVIDENCE_DESCRIPTION = (
    "Shows the change in {service} since the action began.",
    "Agreed by {forum}.",
    "Gathered by {role} as evidence of progress.",
    "Covers {group} across the area.",
    "",
)
NOTES = (
    "Spoke to {count} parents at the drop-in; most knew who to contact, two did not.",
    "Observed the weekly triage of referrals to {service}: decisions were made within five working days.",
    "{role} confirmed that the new process is used for every new referral.",
)
SOURCES = (
    "SEND data team",
    "Parent carer forum",
    "ICB performance team",
    "EHC assessment team",
    "SENDIASS",
    "Education psychology service",
    "Local offer team",
    "",
)

MEASURES = (
    # name, unit, direction, (baseline low, high), (target low, high), description
    (
        "Weeks waited for an autism assessment",
        "weeks",
        "lower_is_better",
        (40, 80),
        (18, 26),
        "Median weeks from referral to assessment.",
    ),
    (
        "% of new EHC plans issued within 20 weeks",
        "%",
        "higher_is_better",
        (20, 50),
        (60, 80),
        "Of plans issued in the month.",
    ),
    (
        "Children waiting for speech and language therapy",
        "count",
        "lower_is_better",
        (200, 600),
        (80, 150),
        "At the month end.",
    ),
    (
        "Days to a first occupational therapy appointment",
        "days",
        "lower_is_better",
        (120, 200),
        (42, 70),
        "Median, at the month end.",
    ),
    (
        "% of SENCO replies very satisfied",
        "%",
        "higher_is_better",
        (55, 75),
        (80, 90),
        "From the rolling survey.",
    ),
    (
        "% of annual reviews completed on time",
        "%",
        "higher_is_better",
        (35, 60),
        (80, 95),
        "Reviews due in the month.",
    ),
    (
        "Complaints about SEND communication",
        "count",
        "lower_is_better",
        (20, 45),
        (5, 12),
        "Received in the month.",
    ),
    (
        "% of parents who find the local offer easy to use",
        "%",
        "higher_is_better",
        (25, 45),
        (60, 75),
        "Pop-up survey.",
    ),
    ("Weeks waited for CAMHS treatment", "weeks", "lower_is_better", (25, 50), (12, 18), "Median weeks."),
    ("Tribunal appeals registered", "count", "lower_is_better", (8, 20), (2, 6), "In the month."),
    (
        "% of decisions to assess made within 6 weeks",
        "%",
        "higher_is_better",
        (40, 70),
        (85, 95),
        "Of decisions in the month.",
    ),
    ("Children placed out of area", "count", "lower_is_better", (40, 90), (20, 35), "At the month end."),
    (
        "% of EHC plans audited as good or better",
        "%",
        "higher_is_better",
        (30, 50),
        (70, 80),
        "Of the month's audit sample.",
    ),
    ("Days to issue a short breaks decision", "days", "lower_is_better", (30, 60), (10, 20), "Median days."),
)

SURVEY_SERVICES = (
    "SPOT service",
    "Speech and language therapy",
    "Local offer",
    "EHC assessment team",
    "Short breaks",
    "Educational psychology",
    "Autism assessment pathway",
    "SENDIASS",
)
QUESTIONS = (  # text, kind; {service} is the survey's
    ("How satisfied are you with the support from the {service} team?", "single_choice"),
    ("Would you recommend the service to others?", "yes_no"),
    ("Did the service meet the needs of your child or young person?", "yes_no"),
    ("How easy was it to contact the team? (1 = very hard, 5 = very easy)", "rating"),
    ("Which kinds of support helped?", "multiple_choice"),
    ("What could we do better?", "free_text"),
    ("Is there anything else you would like to tell us?", "free_text"),
)
TEAMS = (
    "North team",
    "South team",
    "East team",
    "West team",
    "Early years team",
    "Secondary team",
    "Children's Occupational Therapy Service",
    "Outreach team",
)
SITES = (
    "https://localoffer.generated.example/send",
    "https://sharepoint.council.example/sites/send/Shared%20Documents",
    "https://www.icb.nhs.example/send",
    "https://news.generated.example/families",
)
SATISFACTION = (
    "Very satisfied",
    "Satisfied",
    "Neither satisfied nor dissatisfied",
    "Dissatisfied",
    "Very dissatisfied",
)
HELPED = (
    "Advice by phone",
    "A home visit",
    "A visit to school",
    "A written report",
    "Training for staff",
    "A leaflet",
)
COMMENTS = (
    "We waited {months} months for {service} and heard nothing in between.",
    "The team were brilliant once we were seen.",
    "I did not know who to contact when things went wrong at school.",
    "The EHC plan took far longer than 20 weeks.",
    "Reports arrive quickly and are practical for the classroom.",
    "It would help to have a named contact for each school.",
    "The local offer website is confusing; I gave up looking.",
    "Our therapist listened to my son and to us.",
    "Appointments are cancelled at short notice.",
    "The drop-in sessions were really helpful.",
    "I was confused about which occupational therapy service we were under.",
    "Please send updates while we wait.",
)
YOU_SAID = (
    ("You said it was hard to know who to contact in {service}.", "We gave every family a named contact."),
    (
        "You said you heard nothing while you waited.",
        "We now send a monthly update to every family on the list.",
    ),
    ("You said the local offer was confusing.", "We rewrote the pages with the parent carer forum."),
    (
        "You said appointments were cancelled at short notice.",
        "We added a second clinic day to absorb cancellations.",
    ),
    ("You said reports were too long.", "We introduced a one-page summary at the front of every report."),
)


class _Slots(dict):
    """Fills a template's {slots} with words chosen by the generator's own random numbers."""

    def __init__(self, rng: random.Random, **fixed):
        super().__init__(fixed)
        self.rng = rng

    def __missing__(self, key: str) -> str:
        rng = self.rng
        numbers = {
            "weeks": (20, 70),
            "small": (2, 12),
            "pct": (60, 90),
            "count": (12, 240),
            "months": (3, 18),
            "before": (150, 400),
            "after": (60, 149),
        }
        if key in numbers:
            return str(rng.randint(*numbers[key]))
        if key == "month_year":
            return f"{rng.choice(WORDS['month'])} {rng.randint(2023, 2026)}"
        if key[0].isupper():
            word = self[key.lower()]
            return word[0].upper() + word[1:]
        value = rng.choice(WORDS[key])
        self[key] = value  # the same slot twice in one text names the same thing
        return value


def fill(rng: random.Random, template: str, **fixed) -> str:
    return _capital(template.format_map(_Slots(rng, **fixed)))


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def sentences(rng: random.Random, pool, low: int = 1, high: int = 4, **fixed) -> str:
    return " ".join(
        fill(rng, template, **fixed) for template in rng.sample(pool, min(len(pool), rng.randint(low, high)))
    )


def person_name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def finding_text(rng: random.Random, theme: str, kind: str) -> tuple[str, str]:
    """(title, wording): a strength reads as a strength, every other kind as a concern."""
    title, wording = STRENGTHS[theme] if kind == "strength" else rng.choice(CONCERNS[theme])
    slots = _Slots(rng)
    return title.format_map(slots)[:200], wording.format_map(slots)


def action_text(rng: random.Random, theme: str) -> tuple[str, str, str]:
    """(title of 40 to 90 characters where the templates allow, description, intended outcome)."""
    slots = _Slots(rng)
    title = rng.choice(ACTIONS[theme]).format_map(slots)
    if len(title) < 40:
        title = f"{title} across {rng.choice(AREAS)}"
    return (
        title[:90].rstrip(),
        " ".join(_capital(t.format_map(slots)) for t in rng.sample(DESCRIPTION, rng.randint(1, 4))),
        rng.choice(OUTCOMES).format_map(slots),
    )


def update_text(rng: random.Random, status: str) -> str:
    """One to four sentences: what happened, sometimes a problem, and what comes next or how it ended."""
    parts = [fill(rng, rng.choice(UPDATE["progress"]))]
    if rng.random() < 0.3:
        parts.append(fill(rng, rng.choice(UPDATE["problem"])))
    if status in ("complete", "on_hold", "cancelled"):
        parts.append(fill(rng, rng.choice(UPDATE[status])))
    elif rng.random() < 0.7:
        parts.append(fill(rng, rng.choice(UPDATE["next"])))
    if rng.random() < 0.25 and len(parts) < 4:
        parts.insert(1, fill(rng, rng.choice(UPDATE["progress"])))
    return " ".join(dict.fromkeys(parts))


def evidence_text(rng: random.Random, kind: str, about: date) -> tuple[str, str, str]:
    """(title, description, source), dated by the month the evidence is about."""
    slots = _Slots(rng, month_year=f"{about:%B %Y}")
    return (
        rng.choice(EVIDENCE[kind]).format_map(slots)[:200],
        rng.choice(EVIDENCE_DESCRIPTION).format_map(slots),
        rng.choice(SOURCES),
    )


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "file"


# Small files -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Parts:
    """Sentences and table rows made once per run; each document draws its own mix of them under its own
    heading."""

    sentences: tuple[str, ...]
    rows: tuple[str, ...]

    @classmethod
    def make(cls, rng: random.Random) -> "Parts":
        rows = tuple(
            f"{rng.randint(2023, 2026)}-{rng.randint(1, 12):02d},{rng.choice(TEAMS)},{rng.randint(5, 90)},"
            f"{rng.randint(20, 400)},{rng.randint(4, 40)},{rng.randint(40, 70)}"
            for _ in range(1000)
        )
        return cls(tuple(update_text(rng, "in_progress") for _ in range(400)), rows)


def document(rng: random.Random, parts: Parts, number: int, title: str, about: date) -> tuple[str, bytes]:
    """(filename, content): a PDF, CSV or text file of 1 to 20 KB, its heading naming this document alone."""
    kind = rng.choices(("pdf", "csv", "txt"), weights=(6, 3, 1))[0]
    heading = f"{title} (document {number}, about {about.isoformat()})"
    if kind == "csv":
        quoted = '"' + heading.replace('"', '""') + '"'
        rows = ["month,team,referrals,children_waiting,median_weeks,longest_weeks", f"{quoted},,,,,"]
        rows += rng.choices(parts.rows, k=rng.randint(40, 500))
        return f"{slug(title)}.csv", ("\n".join(rows) + "\n").encode()
    lines = [heading, ""] + rng.choices(parts.sentences, k=rng.randint(8, 100))
    if kind == "txt":
        return f"{slug(title)}.txt", ("\n\n".join(lines) + "\n").encode()
    return f"{slug(title)}.pdf", pdf(lines)


@lru_cache(maxsize=4096)
def _wrap(text: str, width: int = 90) -> tuple[str, ...]:
    """The paragraph's lines, in the characters Helvetica's standard encoding holds, with PDF's specials
    escaped."""
    text = (
        text.encode("ascii", "replace").decode().replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    )
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return (*lines, line)


def pdf(paragraphs: list[str]) -> bytes:
    """A plain, valid PDF of A4 pages of Helvetica text, built by hand: fast enough for thousands of files."""
    lines = [line for paragraph in paragraphs for line in _wrap(paragraph)]
    pages = [lines[start : start + 60] for start in range(0, len(lines), 60)] or [[]]
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        None,
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    kids = []
    for page in pages:
        stream = "BT /F1 10 Tf 12 TL 56 790 Td " + " ".join(f"({line}) '" for line in page) + " ET"
        objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream")
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> "
            f"/Contents {len(objects)} 0 R >>"
        )
        kids.append(f"{len(objects)} 0 R")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>"
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    start = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{start}\n%%EOF\n".encode()
    return bytes(out)
