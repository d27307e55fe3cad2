"""The demo partnership as data, taken from the two source documents in shared/sources.

The inspection wording is quoted from the press report of Coventry's area SEND inspection;
the survey figures are exactly those the SPOT service published. Neither document gives a
year, so the demo places the inspection in October 2025 and the survey in May 2026. Owners,
dates, progress and readings between the published figures are the demo's own.

The demo has a history. Everything is written into the tracker on the day this file gives, so that the
plan as at any past day (tracker.readiness.services.plan_as_at) shows what existed and had been done by
then, and the readiness trend has a point for every day since the findings were recorded:

- the inspection and its findings on the day its report was published (INSPECTION["published_on"]),
  the self-evaluation and its findings on the day it started;
- each action on its start date, not started and 0% complete when progress updates follow, which then
  move its percent and status on the days they were written (an action with no update is created as
  ACTIONS says it stands); due dates revised on the day given in DUE_DATE_REVISIONS;
- each measure on the day in MEASURES, each reading READINGS_ENTERED_AFTER the period it reports ends;
- each evidence item submitted, and reviewed, on the days in EVIDENCE;
- the survey set up the day it opened, its replies imported and comments tagged on SURVEY["imported_on"],
  its "you said, we did" entries published on SURVEY["published_on"];
- a readiness snapshot for every day from the findings' day to the day the demo is loaded.

The story runs to late 2026; the demo is meant to be loaded in December 2026 or soon after, when
dates up to 2027 (due dates, review-by dates, targets) are still ahead.
"""

from datetime import date, timedelta
from typing import Any

USERS = [
    # email, name, role
    ("admin@demo.example", "Sam Patel (system owner)", "admin"),
    ("leader@demo.example", "Jo Whitfield (head of SEND)", "leader"),
    ("icb.lead@demo.example", "Dr Helen Clarke (ICB SEND lead)", "leader"),
    ("officer@demo.example", "Priya Shah (SPOT service manager)", "officer"),
    ("therapies@demo.example", "Tom Reeves (children's therapies manager)", "officer"),
    ("ehcp@demo.example", "Maria Lopez (EHC plan team manager)", "officer"),
    ("viewer@demo.example", "Alex Morgan (SEND board member)", "viewer"),
]

THEMES = [
    ("Waiting times and access", "How long children and young people wait for assessment and provision."),
    (
        "Communication with families",
        "How easily parents and carers can find, understand and navigate support.",
    ),
    (
        "EHCP quality and timeliness",
        "Education, health and care plans: issued within 20 weeks, and good enough.",
    ),
    ("Co-production", "Families and young people designing services with the partnership."),
    ("Partnership working", "The council, the NHS, schools and partners working as one."),
    ("Demand and sufficiency", "Enough of the right provision as the number of children with SEND rises."),
]

# a record of mixed fields, read by name
INSPECTION: dict[str, Any] = {
    "title": "Area SEND inspection of Coventry, October 2025",
    "local_area": "Coventry",
    "inspectorates": "Ofsted and the Care Quality Commission (CQC)",
    "type": "full",
    "start_date": date(2025, 10, 6),
    "end_date": date(2025, 10, 10),
    "published_on": date(2025, 12, 1),
    # The letter predates the 2023 framework's outcomes and its words are the old framework's ("many
    # strengths", "clear what needs to be done"); no written statement of action was asked for. Read against
    # the three outcomes it is the first: arrangements typically lead to positive experiences and outcomes and
    # the partnership is taking action where improvements are needed (its areas for improvement below). The
    # letter's own sentence stays as the report's summary.
    "outcome": "positive",
    "report_summary": (
        "Letter to the director of children's services: \u201cCoventry has many strengths and is clear "
        "what needs to be done to secure further improvement.\u201d"
    ),
    "report_reference": (
        "Ofsted and CQC letter to the director of children's services, as reported in the local press"
    ),
}

SELF_EVALUATION: dict[str, Any] = {
    "title": "Partnership self-evaluation 2026",
    "local_area": "Coventry",
    "inspectorates": "Self-evaluation by the SEND partnership board",
    "type": "self_evaluation",
    "start_date": date(2026, 6, 1),
    "end_date": None,
    "published_on": None,
    "outcome": None,  # a self-evaluation has no inspection outcome
    "report_summary": "Areas the partnership found for itself, from the SPOT survey of May 2026.",
    "report_reference": "SPOT service survey, May 2026: you said, we did",
}

# reference, kind, theme, title, wording, partner, lead email
FINDINGS = [
    (
        "S1",
        "strength",
        "Partnership working",
        "Established strategic and operational partnerships",
        "Strategic and operational partnerships are well established in Coventry and teams work "
        "together effectively",
        "both",
        "leader@demo.example",
    ),
    (
        "S2",
        "strength",
        "Co-production",
        "Co-production is recognised and valued",
        "Area leaders respect the lived experiences of children and their parents\u2026 The importance of "
        "co-production is recognised and many examples cited where parents and young people have developed "
        "or influenced systems and services to meet their needs.",
        "both",
        "leader@demo.example",
    ),
    (
        "S3",
        "strength",
        "Partnership working",
        "Strong school partnerships",
        "Strong school partnerships are committed to improving the outcomes achieved by children and young "
        "people with special needs.",
        "council",
        "leader@demo.example",
    ),
    (
        "S4",
        "strength",
        "Communication with families",
        "Parents value frontline staff",
        "Whilst the views of parents are mixed, many expressed positive views about the quality of services, "
        "particularly the role of frontline staff.",
        "both",
        "leader@demo.example",
    ),
    (
        "S5",
        "strength",
        "Partnership working",
        "Passion and commitment to get things right",
        "genuine passion and commitment to get things right for children and young people with SEND \u2026 "
        "children and young people inspectors met \u2026felt happy and well looked after",
        "both",
        "leader@demo.example",
    ),
    (
        "AFI1",
        "area_for_improvement",
        "Communication with families",
        "Options are difficult to navigate",
        "The inspectors have criticised the council\u2019s communication with the parents of children with "
        "special needs. Some parents told inspectors their options were \u2018difficult to navigate\u2019.",
        "council",
        "leader@demo.example",
    ),
    (
        "AFI2",
        "area_for_improvement",
        "Waiting times and access",
        "Families wait too long for provision",
        "Some parents feel frustrated that services are not readily available. While considerable work has "
        "been done to improve accessibility and reduce waiting times, some parents told us that they are "
        "still waiting too long to access provision that meets their child\u2019s needs.",
        "both",
        "icb.lead@demo.example",
    ),
    (
        "AFI3",
        "area_for_improvement",
        "Waiting times and access",
        "Autism assessment waits of over a year",
        "We were told that one child waited for over a year for an assessment for autism spectrum disorder.",
        "icb",
        "icb.lead@demo.example",
    ),
    (
        "AFI4",
        "area_for_improvement",
        "Waiting times and access",
        "Occupational therapy waits of over 20 weeks",
        "Some children and young people have to wait more than 20 weeks to access an occupational therapy "
        "service, but the waiting time is beginning to reduce.",
        "icb",
        "icb.lead@demo.example",
    ),
    (
        "AFI5",
        "area_for_improvement",
        "EHCP quality and timeliness",
        "The quality of EHC plans",
        "The watchdog has raised concerns over Educational Health Care plans for children.",
        "both",
        "leader@demo.example",
    ),
    (
        "AFI6",
        "area_for_improvement",
        "Demand and sufficiency",
        "Rising numbers will add pressure",
        "Inspectors identified \u2018a significant increase in the number of children and young "
        "people\u2019 in Coventry would place extra pressures on special needs services.",
        "council",
        "leader@demo.example",
    ),
]

SELF_FINDINGS = [
    (
        "SI1",
        "self_identified",
        "Communication with families",
        "Two occupational therapy services are confused",
        "The survey highlighted that there is some confusion between the service provided by the "
        "Children\u2019s Occupational Therapy Service within SPOT and the Children and Young People\u2019s "
        "Therapy Service, delivered by the NHS.",
        "both",
        "leader@demo.example",
    ),
]

# reference, title, description, intended outcome, owner, contributors, partner, priority,
# start, due, status, percent, findings
ACTIONS = [
    (
        "A1",
        "Publish new SPOT leaflets, including one for Children's Occupational Therapy",
        "The SPOT teams publish a new set of leaflets; the Children's Occupational Therapy leaflet says "
        "what the team does and how it differs from the NHS Children and Young People's Therapy Service.",
        "Parents and SENCOs know which occupational therapy service to ask; the autumn survey shows "
        "less confusion.",
        "officer@demo.example",
        ["therapies@demo.example"],
        "both",
        "high",
        date(2026, 6, 1),
        date(2026, 7, 31),
        "complete",
        100,
        ["SI1", "AFI1"],
    ),
    (
        "A2",
        "Capture the voice of the pupil in every SPOT involvement",
        "One of the main foci of the next academic year: capture the voice of the pupil and keep them at the "
        "centre of what SPOT does.",
        "Every SPOT report records the pupil's own views; an audit of reports each term confirms it.",
        "officer@demo.example",
        [],
        "council",
        "medium",
        date(2026, 9, 1),
        date(2027, 7, 16),
        "in_progress",
        20,
        ["S2"],
    ),
    (
        "A3",
        "Monitor the new template for professional contributions to EHC plans",
        "SPOT has reviewed its procedure for professional contributions to the EHCP process; it monitors "
        "the use of the new template.",
        "Every SPOT contribution to an EHC plan uses the template and meets the quality rubric.",
        "ehcp@demo.example",
        ["officer@demo.example"],
        "council",
        "high",
        date(2026, 6, 1),
        date(2026, 10, 31),
        "in_progress",
        60,
        ["AFI5"],
    ),
    (
        "A4",
        "Annual audit of the reports shared with schools and parents",
        "Continue the annual audit to quality assure SPOT reports, so that they are clear about the "
        "actions for the school, the parent and the advisory team.",
        "Audited reports meet the team's standard and state who does what next.",
        "officer@demo.example",
        [],
        "council",
        "medium",
        date(2026, 9, 1),
        date(2026, 12, 18),
        "in_progress",
        40,
        ["AFI5"],
    ),
    (
        "A5",
        "Add the SEND website link to notes of visit and assessment",
        "Add a link to the SE website, where resources can be found to support the school and parent, to "
        "every note of visit and assessment.",
        "Schools and parents can find the resources the team recommends.",
        "officer@demo.example",
        [],
        "council",
        "low",
        date(2026, 6, 1),
        date(2026, 9, 30),
        "complete",
        100,
        ["AFI1"],
    ),
    (
        "A6",
        "Reduce the longest wait for an autism assessment to 18 weeks",
        "Commission additional neurodevelopmental assessment capacity and clear the longest waits first.",
        "No child waits more than 18 weeks for an autism assessment.",
        "therapies@demo.example",
        ["icb.lead@demo.example"],
        "icb",
        "high",
        date(2025, 12, 1),
        date(2026, 9, 30),
        "in_progress",
        45,
        ["AFI2", "AFI3"],
    ),
    (
        "A7",
        "Bring occupational therapy waits under 12 weeks",
        "Extra sessions and a triage clinic in the NHS Children and Young People's Therapy Service.",
        "The average wait from referral to a first occupational therapy appointment is under 12 weeks.",
        "therapies@demo.example",
        [],
        "icb",
        "high",
        date(2025, 12, 1),
        date(2027, 3, 31),
        "in_progress",
        60,
        ["AFI2", "AFI4"],
    ),
    (
        "A8",
        "One clear local offer page on SEND options and who to contact",
        "Co-produce with the parent carer forum a single page that explains the options and the next "
        "step for each.",
        "Parents say the options are easy to navigate; fewer enquiries are passed between teams.",
        "officer@demo.example",
        ["leader@demo.example"],
        "both",
        "high",
        date(2026, 1, 12),
        date(2026, 6, 30),
        "in_progress",
        70,
        ["AFI1", "S2"],
    ),
    (
        "A9",
        "Multi-agency audit of EHC plans against the quality rubric",
        "Audit 20 plans a term, with education, health and care reviewers together, and feed "
        "back to writers.",
        "At least 80% of audited plans are rated good or better.",
        "ehcp@demo.example",
        ["icb.lead@demo.example"],
        "both",
        "high",
        date(2026, 1, 5),
        date(2027, 7, 30),
        "in_progress",
        25,
        ["AFI5"],
    ),
    (
        "A10",
        "Sufficiency plan for specialist places",
        "Forecast demand from the rise in children and young people with SEND and plan the places needed.",
        "A costed plan agreed by the SEND board, with places opening on schedule.",
        "ehcp@demo.example",
        ["leader@demo.example"],
        "council",
        "medium",
        date(2026, 1, 5),
        date(2026, 3, 31),
        "not_started",
        0,
        ["AFI6"],
    ),
    (
        "A11",
        "Run the autumn SPOT survey",
        "Ask parents how the service could improve to meet their child's needs, and SENCOs how it can better "
        "support the confidence of their staff.",
        "Survey results that show whether the leaflets and changes worked.",
        "officer@demo.example",
        [],
        "council",
        "medium",
        date(2026, 9, 1),
        date(2026, 12, 18),
        "not_started",
        0,
        ["SI1", "S2"],
    ),
]

# action, previous due, new due, reason, by, on
DUE_DATE_REVISIONS = [
    (
        "A6",
        date(2026, 9, 30),
        date(2027, 3, 31),
        "Recruitment of two extra assessors took longer than planned; the new capacity starts in January.",
        "icb.lead@demo.example",
        date(2026, 9, 14),
    ),
]

# action, date, author, percent, status, text
PROGRESS_UPDATES = [
    (
        "A1",
        date(2026, 6, 20),
        "officer@demo.example",
        60,
        "in_progress",
        "Leaflet drafts shared with the parent carer forum for comment.",
    ),
    (
        "A1",
        date(2026, 7, 24),
        "officer@demo.example",
        100,
        "complete",
        "The new set of leaflets is published, including the Children's Occupational Therapy leaflet.",
    ),
    (
        "A3",
        date(2026, 7, 15),
        "ehcp@demo.example",
        40,
        "in_progress",
        "New template in use by all four SPOT teams since July.",
    ),
    (
        "A3",
        date(2026, 11, 9),
        "ehcp@demo.example",
        60,
        "in_progress",
        "First sample of 15 contributions checked: 11 used the template fully. Follow-up with two teams.",
    ),
    (
        "A4",
        date(2026, 11, 2),
        "officer@demo.example",
        40,
        "in_progress",
        "Audit sample drawn: 30 reports from the summer term.",
    ),
    (
        "A5",
        date(2026, 9, 18),
        "officer@demo.example",
        100,
        "complete",
        "Link added to the notes of visit and assessment templates.",
    ),
    (
        "A6",
        date(2026, 4, 30),
        "therapies@demo.example",
        30,
        "in_progress",
        "Longest wait down from 56 to 50 weeks. Recruiting two assessors.",
    ),
    (
        "A6",
        date(2026, 10, 28),
        "therapies@demo.example",
        45,
        "in_progress",
        "Longest wait now 40 weeks. The new assessors start in January.",
    ),
    (
        "A7",
        date(2026, 10, 20),
        "therapies@demo.example",
        60,
        "in_progress",
        "Triage clinic running weekly; the average wait is 16 weeks, down from 22.",
    ),
    (
        "A8",
        date(2026, 8, 14),
        "officer@demo.example",
        70,
        "in_progress",
        "Draft page tested with eight parents; changes being made to the wording on assessments.",
    ),
    (
        "A9",
        date(2026, 10, 16),
        "ehcp@demo.example",
        25,
        "in_progress",
        "Autumn audit of 20 plans started with health and care reviewers.",
    ),
]

# name, description, unit, direction, baseline (value, date), target (value, date), frequency,
# source, owner, findings, actions, readings [(period end, value, note)], defined on
MEASURES = [
    (
        "Longest wait for an autism assessment",
        "Weeks waited by the child who has waited longest for an autism spectrum disorder assessment.",
        "weeks",
        "lower_is_better",
        (56, date(2025, 10, 31)),
        (18, date(2027, 3, 31)),
        "quarterly",
        "ICB neurodevelopmental pathway report",
        "therapies@demo.example",
        ["AFI3", "AFI2"],
        ["A6"],
        [
            (date(2025, 12, 31), 56, "Inspection found one child had waited over a year."),
            (date(2026, 3, 31), 50, ""),
            (date(2026, 6, 30), 44, ""),
            (date(2026, 9, 30), 40, ""),
        ],
        date(2025, 12, 1),
    ),
    (
        "Average wait for occupational therapy",
        "Average weeks from referral to a first appointment with an occupational therapy service.",
        "weeks",
        "lower_is_better",
        (22, date(2025, 10, 31)),
        (12, date(2027, 3, 31)),
        "quarterly",
        "Children and Young People's Therapy Service activity report",
        "therapies@demo.example",
        ["AFI4", "AFI2"],
        ["A7"],
        [
            (date(2025, 12, 31), 22, "More than 20 weeks, as the inspection found."),
            (date(2026, 3, 31), 21, ""),
            (date(2026, 6, 30), 19, ""),
            (date(2026, 9, 30), 16, "Triage clinic started in July."),
        ],
        date(2025, 12, 1),
    ),
    (
        "EHC plans issued within 20 weeks",
        "Percentage of new education, health and care plans issued within 20 weeks of the request.",
        "%",
        "higher_is_better",
        (None, None),
        (60, date(2027, 7, 31)),
        "monthly",
        "SEND casework system",
        "ehcp@demo.example",
        ["AFI5"],
        ["A9"],
        [],
        date(2026, 1, 5),
    ),
    (
        "SENCO replies very satisfied with SPOT support",
        "Share of SENCO survey replies saying they are very satisfied with the support from the SPOT teams.",
        "%",
        "higher_is_better",
        (82, date(2026, 5, 31)),
        (90, date(2027, 5, 31)),
        "annually",
        "SPOT service survey",
        "officer@demo.example",
        ["S3"],
        ["A2"],
        [(date(2026, 5, 31), 82, "32 of 39 SENCO replies.")],
        date(2026, 6, 10),
    ),
]

# each reading is entered this long after the end of the period it reports
READINGS_ENTERED_AFTER = timedelta(days=14)

SURVEY: dict[str, Any] = {
    "title": "SPOT service survey, May 2026",
    "service": "SPOT service",
    "teams": "The four SPOT teams, including the Children's Occupational Therapy Service",
    "description": (
        "In May we asked parents/carers and SENCOs to share thoughts and experience of our SPOT service by "
        "completing a short survey."
    ),
    "opened_on": date(2026, 5, 1),
    "closed_on": date(2026, 5, 31),
    "imported_on": date(2026, 6, 3),  # the replies, and the comments tagged
    "published_on": date(2026, 6, 30),  # the "you said, we did" entries, with the survey report in EVIDENCE
    "findings": ["SI1", "S2", "AFI1"],
}

# The replies are imported, through the same importer a leader uses, from the Microsoft Forms export in
# tracker/demo/files/. The SurveyMonkey and SmartSurvey exports beside it hold the same 61 replies.
SURVEY_FILE = "spot-survey-microsoft-forms.xlsx"
SURVEY_MAPPING = {
    "columns": {
        "ID": "ignore",
        "Start time": "ignore",
        "Completion time": "submitted_at",
        "Email": "ignore",
        "Name": "ignore",
        "Last modified time": "ignore",
        "Are you a parent/carer or a SENCO?": "group",
        "Which SPOT team is this reply about?": "team",
        "Your school (SENCOs only)": "respondent",
        "Are you very satisfied with the level of support received from the team?": "yes_no",
        "Would you recommend the service to others?": "yes_no",
        "Did the service meet the needs of your child or young person?": "yes_no",
        "Is there anything else you would like to tell us?": "free_text",
    },
    "audiences": {"SENCO": "sencos", "Parent/Carer": "parents_carers"},
}

# The published figures, which the loader checks the imported replies against.
SURVEY_QUESTIONS = [
    (
        "sencos",
        "Are you very satisfied with the level of support received from the team?",
        {"Yes": 32, "No": 7},
    ),
    ("parents_carers", "Would you recommend the service to others?", {"Yes": 19, "No": 3}),
    ("parents_carers", "Did the service meet the needs of your child or young person?", {"Yes": 15, "No": 7}),
]

# 39 SENCO replies from 29 SENCOs: 19 answered once and 10 answered twice, once for each team that
# supports them (the file tells SENCOs apart by their school). 22 replies from parents and carers,
# who were not identified.
SENCO_REPLIES_PER_RESPONDENT = [1] * 19 + [2] * 10
PARENT_REPLIES = 22

# Comments from the file's free-text question, tagged: group, theme, finding, the comment as written
SURVEY_COMMENTS = [
    (
        "parents_carers",
        "Communication with families",
        "SI1",
        "Some confusion between the service provided by the Children's Occupational Therapy Service within "
        "SPOT and the Children and Young People's Therapy Service delivered by the NHS.",
    ),
    (
        "sencos",
        "Co-production",
        "S2",
        "It would help if the service could support the confidence building of our staff as well as "
        "advising on individual pupils.",
    ),
]

# you said, we did, actions
YOU_SAID_WE_DID = [
    (
        "There is some confusion between the Children's Occupational Therapy Service within SPOT and the NHS "
        "Children and Young People's Therapy Service.",
        "The SPOT teams have published a new set of leaflets; the Children's Occupational Therapy leaflet "
        "explains the service this team provides.",
        ["A1"],
    ),
    (
        "Seven parents felt that the service had not met the needs of their child or young person.",
        "One of our main foci during the next academic year will be to ensure that we capture the voice of "
        "the pupil and keep them at the centre of what we do.",
        ["A2"],
    ),
    (
        "Comments on our professional contributions to the EHCP process.",
        "We have reviewed our procedure for making professional contributions to the EHCP process. We will "
        "monitor the use of a new template.",
        ["A3"],
    ),
    (
        "Comments on the reports we share with schools and parents.",
        "We will continue to perform annual audits to quality assure the reports shared with schools and "
        "parent for them to meet our high standards and are clear on actions to be taken by the school, "
        "parent and advisory team.",
        ["A4"],
    ),
    (
        "Schools and parents asked where to find resources.",
        "We will add link to the SE website into our notes of visit/assessment where resources can be "
        "found to support the school and parent where relevant.",
        ["A5"],
    ),
]

# kind, title, description, url, note or document (a function of tracker.demo.documents and a file name),
# about, review by, status, review comment, sensitivity, uploader, findings, actions,
# submitted on, reviewed on
EVIDENCE = [
    (
        "document",
        "SPOT survey report: you said, we did",
        "The published summary of the May survey and what the teams changed.",
        ("survey_report", "spot-survey-you-said-we-did.pdf"),
        date(2026, 6, 30),
        date(2027, 6, 30),
        "accepted",
        None,
        "public",
        "officer@demo.example",
        ["SI1", "S2", "AFI1"],
        ["A11"],
        date(2026, 7, 1),
        date(2026, 7, 8),
    ),
    (
        "document",
        "Children's Occupational Therapy leaflet",
        "The new SPOT leaflet that explains how the team differs from the NHS therapy service.",
        ("ot_leaflet", "childrens-ot-leaflet.pdf"),
        date(2026, 7, 24),
        date(2027, 7, 31),
        "submitted",
        None,
        "public",
        "officer@demo.example",
        ["SI1", "AFI1"],
        ["A1"],
        date(2026, 7, 27),
        None,
    ),
    (
        "link",
        "SPOT leaflets on the local offer",
        "The new set of leaflets, published.",
        "https://localoffer.example/spot/leaflets",
        date(2026, 7, 24),
        date(2027, 7, 31),
        "accepted",
        None,
        "public",
        "officer@demo.example",
        ["SI1", "AFI1"],
        ["A1"],
        date(2026, 7, 27),
        date(2026, 8, 3),
    ),
    (
        "note",
        "Autism assessment capacity commissioned",
        "ICB commissioning decision for two additional assessors.",
        "The ICB approved funding for two additional neurodevelopmental assessors from January 2027.",
        date(2026, 10, 20),
        date(2027, 4, 30),
        "submitted",
        None,
        "internal",
        "therapies@demo.example",
        ["AFI3"],
        ["A6"],
        date(2026, 10, 21),
        None,
    ),
    (
        "link",
        "Occupational therapy waiting times, September 2026",
        "Quarterly extract from the therapy service's activity report.",
        "https://intranet.example/therapies/ot-waits-2026-09",
        date(2026, 9, 30),
        date(2027, 1, 31),
        "returned",
        "Add the source system and the date of the extract.",
        "internal",
        "therapies@demo.example",
        ["AFI4"],
        ["A7"],
        date(2026, 10, 16),
        date(2026, 10, 23),
    ),
    (
        "note",
        "Case review: a family's 56-week wait for an autism assessment",
        "Case review with the family's account. Contains personal data about a child.",
        "Child A (initials and NHS number in the case file) waited 56 weeks; the family described repeated "
        "referrals between services.",
        date(2025, 11, 14),
        date(2026, 11, 14),
        "submitted",
        None,
        "restricted",
        "therapies@demo.example",
        ["AFI3"],
        ["A6"],
        date(2025, 12, 15),
        None,
    ),
    (
        "note",
        "Draft local offer page tested with parents",
        "Notes from testing the draft page with eight parents.",
        "Eight parents tested the draft page; six found the next step for their child within two minutes.",
        date(2026, 8, 14),
        date(2027, 2, 28),
        "accepted",
        None,
        "internal",
        "officer@demo.example",
        ["AFI1"],
        ["A8"],
        date(2026, 8, 17),
        date(2026, 8, 24),
    ),
    (
        "note",
        "EHC plan audit, spring term 2026",
        "Multi-agency audit of 20 plans against the quality rubric.",
        "11 of 20 plans were rated good or better; health and care advice was the weakest section.",
        date(2026, 4, 15),
        date(2026, 10, 31),
        "accepted",
        None,
        "internal",
        "ehcp@demo.example",
        ["AFI5"],
        ["A9"],
        date(2026, 4, 20),
        date(2026, 4, 27),
    ),
]

# The demo's criteria (tracker/frameworks/area-send-2023.yaml) linked to its records by reference, as its head
# of SEND linked them on CRITERIA_LINKED_ON: criterion key, kind, then a finding's or action's reference, a
# measure's name, an evidence item's title or the survey's title. B1 and AP1 are left with
# nothing, to show a gap.
CRITERIA_LINKED_ON = date(2026, 11, 20)
CRITERION_LINKS = [
    ("A1", "finding", "AFI3"),
    ("A1", "finding", "AFI4"),
    ("A1", "action", "A6"),
    ("A1", "action", "A7"),
    ("A1", "measure", "Longest wait for an autism assessment"),
    ("A1", "measure", "Average wait for occupational therapy"),
    ("A1", "evidence", "Occupational therapy waiting times, September 2026"),
    ("A2", "finding", "S2"),
    ("A2", "finding", "AFI1"),
    ("A2", "action", "A2"),
    ("A2", "survey", "SPOT service survey, May 2026"),
    ("A2", "evidence", "SPOT survey report: you said, we did"),
    ("A3", "finding", "AFI2"),
    ("A3", "action", "A1"),
    ("A3", "action", "A7"),
    ("A3", "measure", "SENCO replies very satisfied with SPOT support"),
    ("A3", "survey", "SPOT service survey, May 2026"),
    ("A3", "evidence", "Children's Occupational Therapy leaflet"),
    ("A4", "finding", "AFI5"),
    ("A4", "action", "A3"),
    ("A4", "action", "A9"),
    ("A4", "measure", "EHC plans issued within 20 weeks"),
    ("A5", "finding", "S5"),
    ("B2", "finding", "S2"),
    ("B2", "action", "A2"),
    ("B2", "survey", "SPOT service survey, May 2026"),
    ("B3", "finding", "AFI6"),
    ("B3", "action", "A10"),
    ("B4", "finding", "AFI6"),
    ("B4", "action", "A10"),
    ("B4", "evidence", "Autism assessment capacity commissioned"),
    ("B5", "action", "A4"),
    ("B5", "action", "A9"),
    ("B5", "evidence", "EHC plan audit, spring term 2026"),
    ("B6", "finding", "S1"),
    ("B6", "finding", "S3"),
]

# The demo's self-evaluation (docs/self-evaluation.md): statements for a few criteria, each version with its
# author, the day it was saved, what it cites (kind, then a measure's name, an evidence item's title or the
# survey's title), and the leader who signed it off and when (None: a draft). A1 is signed off; A3 was signed
# off, then edited, so its newest version is a draft and the signed-off one stays shown.
SEF_STATEMENTS = [
    (
        "A1",
        "therapies@demo.example",
        date(2026, 11, 24),
        (
            "Occupational therapy waits have come down since the extra sessions began in June, and "
            "families are told how long they will wait when they are referred.",
            "Autism assessments still take more than a year for some children, longest in the east "
            "of the county.",
            "Assessment capacity has been commissioned from a second provider (AFI3, action A6); the "
            "longest wait is reported to the SEND board every month.",
        ),
        [
            ("evidence", "Occupational therapy waiting times, September 2026"),
            ("evidence", "Autism assessment capacity commissioned"),
            ("measure", "Longest wait for an autism assessment"),
        ],
        ("leader@demo.example", date(2026, 11, 26)),
    ),
    (
        "A3",
        "officer@demo.example",
        date(2026, 11, 23),
        (
            "SENCOs value SPOT's support: most who replied to the May survey were very satisfied.",
            "Help after an EHC plan is issued is not yet consistent between schools.",
            "The EHC plan audit rubric is being used in every multi-agency audit (action A9).",
        ),
        [
            ("survey", "SPOT service survey, May 2026"),
            ("measure", "SENCO replies very satisfied with SPOT support"),
        ],
        ("leader@demo.example", date(2026, 11, 25)),
    ),
    (
        "A3",
        "officer@demo.example",
        date(2026, 12, 1),
        (
            "SENCOs value SPOT's support: most who replied to the May survey were very satisfied, and the "
            "leaflet families asked for is now given at every first visit.",
            "Help after an EHC plan is issued is not yet consistent between schools.",
            "The EHC plan audit rubric is being used in every multi-agency audit (action A9); findings go "
            "to the SEND board.",
        ),
        [
            ("survey", "SPOT service survey, May 2026"),
            ("measure", "SENCO replies very satisfied with SPOT support"),
            ("evidence", "Children's Occupational Therapy leaflet"),
            ("evidence", "EHC plan audit, spring term 2026"),
        ],
        None,
    ),
]
