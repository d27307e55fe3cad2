"""A 20,000-reply survey export imported through the real pages, then that survey's comments page timed.

`python -m bench.survey_import import` makes a survey and a Microsoft Forms workbook ("Open in
Excel") of REPLIES replies from parents and SENCOs (a team, a satisfaction scale, yes or no, a 1-5
rating, ticked options and a comment on most replies, each written afresh), then, signed in as the
leader through the Flask test client, uploads it (the preview, nothing saved) and confirms the
suggested mapping unchanged (the file read again and every reply written), as a leader would. It
prints the two requests' times and the process's memory: its resident size just before the upload
(VmRSS) and its peak during the two requests (VmHWM, reset to the resident size first with
/proc/self/clear_refs), whose difference is the growth. The database and evidence folder come from
DATABASE_URL and TRACKER_STORAGE_DIR, as for bench/pages.py.

`python -m bench.survey_import page SURVEY_ID` times that survey's comments page in a fresh
process, as bench/pages.py times every page (warm-up, REPEAT timed requests, the queries counted).
"""

import gc
import io
import json
import random
import re
import secrets
import sys
import time
from datetime import datetime, timedelta
from html.parser import HTMLParser
from typing import Any

import openpyxl
import sqlalchemy as sa
from flask import url_for

from bench import PEOPLE, SEED
from bench.export_probe import memory_mb
from bench.pages import Page, bench_app, signed_in, time_page
from tracker.auth.models import User
from tracker.extensions import db
from tracker.surveys.models import Audience, SurveyComment, SurveyReply
from tracker.surveys.services import SurveyData, create_survey

REPLIES = 20_000
TEAMS = [
    "Children's Occupational Therapy",
    "Sensory Support Team",
    "Complex Communication Team",
    "Learning and Behaviour Support Team",
]
SATISFACTION = [
    "Very satisfied",
    "Satisfied",
    "Neither satisfied nor dissatisfied",
    "Dissatisfied",
    "Very dissatisfied",
]
OPENINGS = [
    "The team",
    "Our therapist",
    "The advice line",
    "The waiting list",
    "Letters from the service",
    "The school visits",
    "Our key worker",
    "The assessment",
]
MIDDLES = [
    "helped us a lot with",
    "could do more about",
    "was slow to respond on",
    "explained clearly",
    "made a real difference to",
    "left us confused about",
    "was kind and patient with",
    "never followed up on",
]
ENDINGS = [
    "my son's sensory needs",
    "the move to secondary school",
    "what happens next",
    "his EHC plan",
    "the exercises at home",
    "our daughter's communication",
    "who to contact",
    "the transition review",
]
PAGE = Page("Survey comments, 20,000 replies", "surveys.comments")


def workbook(replies: int, seed: int = SEED) -> bytes:
    """A Microsoft Forms export of `replies` replies, its texts shared as Excel saves them; about 3 in 5
    replies carry a comment, each worded differently."""
    rng = random.Random(seed)
    book = openpyxl.Workbook()  # not write-only: that writes each text in its cell, where Excel shares them
    sheet = book.active
    sheet.title = "Sheet1"
    sheet.append(
        [
            "ID",
            "Start time",
            "Completion time",
            "Email",
            "Name",
            "Are you a parent/carer or a SENCO?",
            "Which SPOT team is this reply about?",
            "How satisfied are you with the support from the team?",
            "Would you recommend the service to others?",
            "How easy was it to get in touch? (1 to 5)",
            "Which support did you have?",
            "Is there anything else you would like to tell us?",
        ]
    )
    started = datetime(2026, 5, 1, 8, 0)
    for number in range(1, replies + 1):
        moment = started + timedelta(minutes=2 * number)
        ticked = [name for name in ("Advice", "Training", "Assessment") if rng.random() < 0.4] or ["Advice"]
        comment = (
            f"{rng.choice(OPENINGS)} {rng.choice(MIDDLES)} {rng.choice(ENDINGS)} (reply {number})."
            if rng.random() < 0.6
            else None
        )
        sheet.append(
            [
                number,
                moment,
                moment + timedelta(minutes=7),
                "anonymous",
                None,
                "SENCO" if rng.random() < 0.6 else "Parent/Carer",
                rng.choice(TEAMS),
                rng.choice(SATISFACTION),
                rng.choice(["Yes", "Yes", "Yes", "No"]),
                rng.randint(1, 5),
                "".join(f"{t};" for t in ticked),
                comment,
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class _Fields(HTMLParser):
    """The values a browser sends back from a page's form: hidden inputs and each select's selected option."""

    def __init__(self, page: str):
        super().__init__()
        self.fields: dict[str, str] = {}
        self._select: str | None = None
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("type") == "hidden":
            self.fields[attrs["name"]] = attrs.get("value") or ""
        elif tag == "select":
            self._select = attrs["name"]
            self.fields.setdefault(self._select, "")
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields[self._select] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as file:
            file.write("5")
    except OSError:
        return False
    return True


def import_survey() -> dict[str, Any]:
    app = bench_app(dashboard_cache=True)
    with app.app_context():
        leader = db.session.scalar(sa.select(User).where(User.email == PEOPLE.leader))
        survey = create_survey(
            leader,
            SurveyData(
                title=f"Bench survey import {secrets.token_hex(4)}",
                service="SPOT service",
                audiences=[Audience.SENCOS, Audience.PARENTS_CARERS],
            ),
        )
        survey_id, leader_id = survey.id, leader.id
        client = signed_in(app, leader_id)
    content, name = workbook(REPLIES), "spot-survey-20000-replies.xlsx"
    page = client.get(f"/surveys/{survey_id}/import").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    gc.collect()
    baseline, reset = memory_mb("VmRSS"), _reset_peak()
    started = time.perf_counter()
    preview = client.post(
        f"/surveys/{survey_id}/import",
        data={"csrf_token": token, "file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )
    previewed = time.perf_counter()
    if preview.status_code != 200 or "Import replies" not in preview.get_data(as_text=True):
        raise SystemExit(f"the upload answered {preview.status_code} without a preview to confirm")
    done = client.post(
        f"/surveys/{survey_id}/import/confirm", data=_Fields(preview.get_data(as_text=True)).fields
    )
    finished = time.perf_counter()
    peak = memory_mb("VmHWM")
    if done.status_code != 302:
        raise SystemExit(f"confirming the import answered {done.status_code}, not a redirect to the survey")
    with app.app_context():
        replies = db.session.scalar(sa.select(sa.func.count()).where(SurveyReply.survey_id == survey_id))
        comments = db.session.scalar(sa.select(sa.func.count()).where(SurveyComment.survey_id == survey_id))
    if replies != REPLIES:
        raise SystemExit(f"the import wrote {replies} replies, not {REPLIES}")
    return {
        "survey_id": survey_id,
        "replies": replies,
        "comments": comments,
        "file_bytes": len(content),
        "preview_s": previewed - started,
        "confirm_s": finished - previewed,
        "seconds": finished - started,
        "baseline_mb": baseline,
        "peak_mb": peak,
        "growth_mb": peak - baseline,
        "peak_reset": reset,
    }


def time_comments(survey_id: int) -> dict[str, Any]:
    app = bench_app(dashboard_cache=True)
    with app.app_context():
        leader_id = db.session.scalar(sa.select(User.id).where(User.email == PEOPLE.leader))
        client = signed_in(app, leader_id)
    with app.test_request_context():
        url = url_for(PAGE.endpoint, survey_id=survey_id)
    result = time_page(app, client, PAGE, url)
    result["bytes"] = len(client.get(url).get_data())
    return result


def main() -> None:
    if sys.argv[1:2] == ["import"]:
        print(json.dumps(import_survey()))
    elif sys.argv[1:2] == ["page"] and len(sys.argv) == 3:
        print(json.dumps(time_comments(int(sys.argv[2]))))
    else:
        raise SystemExit("usage: python -m bench.survey_import import | page SURVEY_ID")


if __name__ == "__main__":
    main()
