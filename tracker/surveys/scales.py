"""Answer scales: Very satisfied to Very dissatisfied, Strongly agree to Strongly disagree, Always to Never,
Yes/No, 1-5 and 0-10; which answers sit on one, and the order they are shown in,
so that groups compare line by line.

A scale is known by its answers, compared without capitals, spaces or punctuation mattering
("Very Satisfied", "very satisfied." and "Very  satisfied" are one answer). Answers such as
"Don't know", "Not applicable" and "Prefer not to say" sit on any scale, after its last point.
"""

import re
from collections.abc import Iterable

# each scale from its most positive point to its least; a point may be written in several ways
SCALES: dict[str, list[tuple[str, ...]]] = {
    "satisfaction": [
        ("very satisfied", "extremely satisfied", "completely satisfied"),
        ("satisfied", "fairly satisfied", "quite satisfied", "mostly satisfied", "somewhat satisfied"),
        ("neither satisfied nor dissatisfied", "neither satisfied or dissatisfied", "neutral", "neither"),
        (
            "dissatisfied",
            "fairly dissatisfied",
            "quite dissatisfied",
            "somewhat dissatisfied",
            "unsatisfied",
            "not satisfied",
        ),
        ("very dissatisfied", "extremely dissatisfied", "very unsatisfied", "not at all satisfied"),
    ],
    "agreement": [
        ("strongly agree", "completely agree"),
        ("agree", "tend to agree", "somewhat agree", "mostly agree"),
        ("neither agree nor disagree", "neither agree or disagree", "neutral", "neither", "not sure"),
        ("disagree", "tend to disagree", "somewhat disagree"),
        ("strongly disagree", "completely disagree"),
    ],
    "frequency": [
        ("always",),
        ("almost always",),
        ("usually", "mostly", "often", "most of the time"),
        ("sometimes", "some of the time"),
        ("rarely", "occasionally", "hardly ever", "seldom"),
        ("never",),
    ],
    "quality": [
        ("excellent",),
        ("very good",),
        ("good",),
        ("fair", "ok", "okay", "average", "adequate"),
        ("poor",),
        ("very poor",),
    ],
    "likelihood": [
        ("extremely likely",),
        ("very likely",),
        ("likely", "fairly likely"),
        ("neither likely nor unlikely", "neither likely or unlikely", "not sure"),
        ("unlikely", "fairly unlikely"),
        ("very unlikely",),
        ("extremely unlikely",),
    ],
    "helpfulness": [
        ("very helpful", "extremely helpful"),
        ("helpful", "quite helpful", "fairly helpful"),
        ("somewhat helpful", "a little helpful", "slightly helpful"),
        ("not very helpful",),
        ("not helpful", "not at all helpful", "unhelpful"),
    ],
    "extent": [
        ("completely", "fully", "entirely", "yes completely", "yes fully"),
        ("mostly", "to a great extent", "a lot", "yes mostly"),
        ("partly", "partially", "somewhat", "to some extent", "a little", "yes partly", "in part"),
        ("not at all", "no not at all"),
    ],
    "yes_no": [
        ("yes", "y"),
        ("partly", "partially", "somewhat", "sometimes", "yes partly", "in part"),
        ("no", "n"),
    ],
}
# answers that are not a point on the scale but may be given with any: shown after it, in this order
ASIDE: list[tuple[str, ...]] = [
    ("don't know", "dont know", "do not know", "unsure", "not known"),
    ("not applicable", "n/a", "na", "does not apply"),
    ("prefer not to say", "rather not say"),
]
NUMERIC = re.compile(r"-?\d{1,2}")


def _key(answer: str) -> str:
    """An answer compared without capitals, punctuation at either end, doubled spaces or curly apostrophes."""
    text = answer.replace("\u2019", "'").lower()
    text = re.sub(r"[\s_]+", " ", text)
    return text.strip(" .!,;:-–")


_POINTS = {
    name: {written: index for index, point in enumerate(points) for written in point}
    for name, points in SCALES.items()
}
_ASIDE = {written: index for index, point in enumerate(ASIDE) for written in point}


def _numeric(keys: set[str]) -> bool:
    return (
        bool(keys)
        and all(NUMERIC.fullmatch(key) for key in keys)
        and len(keys) <= 11
        and all(-10 <= int(key) <= 10 for key in keys)
    )


def scale_of(answers: Iterable[str]) -> str | None:
    """The one scale every answer sits on ("satisfaction", "agreement", ..., "numeric"), or None.

    Answers on no scale, answers from two scales that do not share them, or only asides
    ("Don't know" alone) are on none. When the answers fit several scales ("Neither" is on two),
    the first in SCALES that holds them all is named.
    """
    keys = {_key(answer) for answer in answers if answer and answer.strip()}
    points = keys - set(_ASIDE)
    if not points:
        return None
    if _numeric(points):
        return "numeric"
    return next((name for name, known in _POINTS.items() if points <= set(known)), None)


def is_scale(answers: Iterable[str]) -> bool:
    """Whether the answers are points on one scale (and so read as a single choice,
    not as names or comments)."""
    return scale_of(answers) is not None


def scale_order(answers: Iterable[str]) -> dict[str, int] | None:
    """Each answer's place along its scale (0 first), asides after the last point;
    None when they are on no scale.

    Answers written the same way up to capitals share a place; a numeric scale runs from its lowest number up.
    """
    answers = list(answers)
    name = scale_of(answers)
    if name is None:
        return None
    places = {}
    for answer in answers:
        key = _key(answer)
        if key in _ASIDE:
            places[answer] = 1000 + _ASIDE[key]
        elif name == "numeric":
            places[answer] = int(key) + 100
        else:
            places[answer] = _POINTS[name][key]
    return places
