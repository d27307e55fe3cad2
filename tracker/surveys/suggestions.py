"""The rules that suggest how to read a survey export's column,
from the shape of its answers more than its heading.

Pure functions of text (no database, no file): which audience an answer names, whether a
column's answers are comments, identifiers or team names. The importer (importer.py) applies
them; docs/survey-import.md states them for users.
"""

import re
from collections import Counter
from collections.abc import Sequence

from tracker.surveys.scales import is_scale

# Words and phrases that name an audience, each matched as whole words. An answer names the audience
# when one of these stands in it as the thing the answer is (see suggest_audience).
AUDIENCE_TERMS: dict[str, tuple[str, ...]] = {
    "sencos": (
        "senco",
        "sencos",
        "sendco",
        "sendcos",
        "sen co",
        "sen coordinator",
        "send coordinator",
        "special educational needs coordinator",
        "special educational needs co ordinator",
        "inclusion lead",
    ),
    "parents_carers": (
        "parent",
        "parents",
        "carer",
        "carers",
        "parent carer",
        "parent carers",
        "guardian",
        "guardians",
        "family member",
        "mum",
        "mother",
        "dad",
        "father",
        "foster carer",
        "grandparent",
        "kinship carer",
    ),
    "practitioners": (
        "practitioner",
        "practitioners",
        "professional",
        "professionals",
        "staff",
        "staff member",
        "teacher",
        "teachers",
        "teaching assistant",
        "therapist",
        "therapists",
        "social worker",
        "health visitor",
        "nurse",
        "clinician",
        "psychologist",
        "educational psychologist",
        "early years practitioner",
        "worker",
        "key worker",
        "head teacher",
        "headteacher",
    ),
    "children_young_people": (
        "child",
        "children",
        "young person",
        "young people",
        "pupil",
        "pupils",
        "student",
        "students",
        "learner",
        "learners",
        "child or young person",
        "children and young people",
        "child young person",
    ),
}
# words that may come before the term: "I am a parent", "A SENCO", "Health practitioner", "Other professional"
_BEFORE = {
    "i",
    "am",
    "im",
    "i'm",
    "a",
    "an",
    "the",
    "my",
    "our",
    "we",
    "are",
    "other",
    "another",
    "health",
    "education",
    "school",
    "nursery",
    "college",
    "setting",
    "early",
    "years",
    "local",
    "authority",
    "council",
    "nhs",
    "social",
    "care",
    "send",
    "sen",
    "secondary",
    "primary",
    "special",
    "mainstream",
    "specialist",
    "lead",
    "class",
    "support",
    "trainee",
    "senior",
    "assistant",
    "deputy",
    "as",
    "in",
    "role",
}
# words that may come after it: the answer goes on to qualify it ("Parent of a child with SEND",
# "Teacher at a school")
_AFTER = {
    "of",
    "with",
    "for",
    "at",
    "in",
    "from",
    "who",
    "whose",
    "working",
    "supporting",
    "answering",
    "on",
    "to",
    "under",
    "aged",
}
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
NIL_ANSWERS = {
    "no",
    "none",
    "n/a",
    "na",
    "nil",
    "nothing",
    "no comment",
    "no comments",
    "not applicable",
    "-",
    ".",
    "no thanks",
    "nothing else",
    "nothing to add",
    "not really",
    "no not really",
    "x",
}
_TEAM_HEADING = re.compile(
    r"^(?:.*\b(?:which|what)\b.*\bteams?\b.*|teams?(?: name)?|service(?: or team| team)?|"
    r"team or service)$"
)


def _words(value: str) -> list[str]:
    text = value.lower().replace("\u2019", "'").replace("-", " ")
    return _WORD.findall(text)


def _terms() -> list[tuple[list[str], str]]:
    """Every term as its words, longest first, so that "foster carer" is tried before "carer"."""
    terms = [
        (term.split(), audience)
        for audience, names in AUDIENCE_TERMS.items()
        for name in names
        for term in [" ".join(_words(name))]
    ]
    return sorted(terms, key=lambda item: -len(item[0]))


_TERMS = _terms()


def _names_at(words: list[str], start: int) -> tuple[str, int] | None:
    for term, audience in _TERMS:
        if words[start : start + len(term)] == term:
            return audience, start + len(term)
    return None


def suggest_audience(value: str) -> str | None:
    """The audience an answer such as "Parent/Carer", "SENCo" or "Parent of a child with SEND" names, or None.

    Matched against whole words, not parts of words, and only when the audience is what the answer
    *is*: the term may have a few describing words before it ("Health practitioner") and a
    qualifying phrase after it ("... of a child with SEND"), nothing else. So the team
    "Children's Occupational Therapy" and the "Family Support Team" name no audience: "Children's" is
    a possessive and "Support Team" is no qualifier. Where an answer names two audiences ("Parent
    and SENCO"), none is suggested.
    """
    words = _words(value)
    if not words or len(words) > 12:
        return None
    found: list[str] = []
    index = 0
    while index < len(words):
        match = _names_at(words, index)
        if match is None:
            if found and words[index] in _AFTER:
                break  # what follows qualifies the audience already named: "Parent of a child"
            if words[index] not in _BEFORE and not (found and words[index] in ("or", "and")):
                return None
            index += 1
            continue
        audience, index = match
        if index < len(words) and words[index].endswith("'s"):
            return None
        found.append(audience)
    audiences = set(found)
    return found[0] if len(audiences) == 1 else None


def audiences_named(text: str) -> set[str]:
    """Every audience a longer text (a file's name, a survey's title) names anywhere in it, as whole words."""
    words, named = _words(text.replace("_", " ")), set()
    for index in range(len(words)):
        match = _names_at(words, index)
        if match and not (match[1] < len(words) and words[match[1]].endswith("'s")):
            named.add(match[0])
    return named


def is_nil(value: str) -> bool:
    """An answer that says there is nothing to say: "No", "N/A", "None", "-"."""
    return value.strip().lower().rstrip(".!") in NIL_ANSWERS


def is_sentence(value: str) -> bool:
    """Words written as a person writes a comment: three words or more, or two ending as a sentence ends."""
    words = _words(value)
    return len(words) >= 3 or (len(words) >= 2 and value.rstrip()[-1:] in ".!?")


def is_free_text(values: Sequence[str]) -> bool:
    """Comments: most of the answers (leaving out "No", "N/A" and the like) are sentences given once each.

    A column of team or school names repeats itself; a scale's answers are few and repeated; comments
    are written afresh by each person who gives one.
    """
    said = [value for value in values if value.strip() and not is_nil(value)]
    if not said or is_scale(said):
        return False
    counts = Counter(" ".join(value.lower().split()) for value in said)
    fresh = sum(1 for value in said if counts[" ".join(value.lower().split())] == 1 and is_sentence(value))
    return fresh * 2 > len(said)


# Personal data in a heading: a column whose heading asks for one of these is personal (see personal_heading)
PERSONAL_TERMS: dict[str, tuple[str, ...]] = {
    "name": (
        "name",
        "names",
        "full name",
        "first name",
        "last name",
        "surname",
        "forename",
        "forenames",
        "given name",
        "family name",
        "first and last name",
        "first name and surname",
    ),
    "email": ("email", "e mail", "email address", "e mail address"),
    "phone": (
        "phone",
        "telephone",
        "tel",
        "mobile",
        "phone number",
        "telephone number",
        "tel number",
        "mobile number",
        "mobile phone",
        "mobile phone number",
        "contact number",
        "phone no",
        "telephone no",
        "tel no",
        "mobile no",
    ),
    "address": (
        "address",
        "home address",
        "postal address",
        "address line 1",
        "address line 2",
        "address 2",
        "postcode",
        "post code",
        "postal code",
        "zip postal code",
        "zip code",
    ),
    "birth": ("date of birth", "dob", "d o b", "birth date", "birthday"),
    "id": ("nhs number", "nhs no", "upn", "unique pupil number"),
    "contact": ("contact details", "contact information", "contact info"),
}
PERSONAL_KINDS = {
    "name": "a name",
    "email": "an email address",
    "phone": "a phone number",
    "address": "an address or postcode",
    "birth": "a date of birth",
    "id": "an NHS number or unique pupil number",
    "contact": "contact details",
    "ip": "an IP address",
}
# whose the datum is, or where it is from: "Your name", "Child's date of birth",
# "Contact phone", "Home address"
_OWNERS = {
    "your",
    "you",
    "my",
    "their",
    "the",
    "respondent",
    "respondents",
    "respondent's",
    "child",
    "child's",
    "childs",
    "son's",
    "daughter's",
    "parent",
    "parent's",
    "carer",
    "carer's",
    "parents",
    "carers",
    "young",
    "person",
    "person's",
    "pupil",
    "pupil's",
    "student",
    "student's",
    "contact",
    "home",
    "work",
    "main",
    "preferred",
    "best",
    "daytime",
    "personal",
    "and",
    "or",
    "please",
    "optional",
}
# a phrase that may follow it: "Email address if you would like a reply", "Phone number for a call back"
_QUALIFIERS = {
    "if",
    "for",
    "so",
    "to",
    "in",
    "where",
    "when",
    "only",
    "optional",
    "please",
    "eg",
    "e",
    "we",
    "you",
    "this",
    "by",
    "should",
    "and",
    "or",
}
# "Name of your child", "Name of person completing the form"; "Name of the service" is no one's name
_OF_PERSON = re.compile(
    r"^of (?:the |your |my )?(?:child|young person|pupil|student|parent|carer|respondent|"
    r"person|people|you|yourself)\b"
)
# a heading that asks the person to give it: "If you would like a call,
# please leave your name and phone number"
_ASKS = re.compile(
    r"\b(?:give|giving|tell us|leave|provide|share|enter|write|include|let us (?:have|know)|"
    r"what is|what s|what are|add)\b.*\b(?:your|their|my)\b"
)
_CONTACT_QUESTION = re.compile(r"\b(?:contact|details|information|about you)\b")


def _personal_terms() -> list[tuple[list[str], str]]:
    terms = [(_words(term), kind) for kind, names in PERSONAL_TERMS.items() for term in names]
    return sorted(terms, key=lambda item: -len(item[0]))


_PERSONAL = _personal_terms()


def _personal_at(words: list[str], start: int) -> tuple[str, int] | None:
    for term, kind in _PERSONAL:
        if words[start : start + len(term)] == term:
            return kind, start + len(term)
    return None


def _heading_words(heading: str) -> list[str]:
    text = re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", heading.lower())  # "(optional)", "[Required]"
    return _words(re.sub(r"^\s*(?:q\s*)?\d{1,3}\s*[.:)]\s+", "", text).replace(".", " ").replace("/", " "))


def _kinds_in(words: list[str], start: int) -> tuple[set[str], int]:
    """The personal terms from `start` on, joined by "and"/"or" ("Name and phone number"),
    and where they end."""
    kinds, index = set(), start
    while index < len(words):
        match = _personal_at(words, index)
        if match is None:
            break
        kinds.add(match[0])
        index = match[1]
        if words[index : index + 1] not in (["and"], ["or"]) or _personal_at(words, index + 1) is None:
            break
        index += 1
    return kinds, index


def _kind(kinds: set[str]) -> str:
    return kinds.pop() if len(kinds) == 1 else "contact"


def _labelled(words: list[str]) -> str | None:
    """A heading that is a label for personal data: owner words, the term,
    then nothing or a qualifying phrase."""
    index = 0
    while index < len(words) and words[index] in _OWNERS and _personal_at(words, index) is None:
        index += 1
    kinds, end = _kinds_in(words, index)
    if not kinds:
        return None
    rest = words[end:]
    if not rest or rest[0] in _QUALIFIERS or _OF_PERSON.match(" ".join(rest)):
        return _kind(kinds)
    return None


def personal_heading(heading: str, label: str = "") -> str | None:
    """The personal data a column's heading asks for ("name", "email", "phone", "address", "birth", "id" for
    an NHS or pupil number, "contact" for several, "ip"), or None.

    A heading is personal when it is a label for one of PERSONAL_TERMS, matched as whole words: owner words
    before it ("Your name (optional)", "Contact phone", "Child's date of birth") and nothing after it but a
    qualifying phrase ("Email address if you would like a reply", "Name of person completing the form"); or
    when it asks the person to give their own ("Please leave your name and phone number"). A heading that
    only mentions one is a question, not personal data: "Name of the service/team", "Did you contact us by
    phone?", "How useful were our email updates?", "Did we address your concerns?". `label` is
    SurveyMonkey's second heading row: a contact form's "Name" or "Phone Number" under "Your contact details".
    """
    words = _heading_words(heading)
    if label and _CONTACT_QUESTION.search(" ".join(words)):
        found = _labelled(_heading_words(label))
        if found:
            return found
    if words in (["ip"], ["ip", "address"]):
        return "ip"
    found = _labelled(words)
    if found:
        return found
    text = " ".join(words)
    asked = _ASKS.search(text)
    if asked:
        after = text[asked.end() :].split()
        index = 0
        while index < len(after) and after[index] in _OWNERS and _personal_at(after, index) is None:
            index += 1
        kinds, _ = _kinds_in(after, index)
        if kinds:
            return _kind(kinds)
    return None


def is_identifier(values: Sequence[str]) -> bool:
    """A column of reply numbers or codes: every answer a different whole number
    (SmartSurvey's UserNo, a row id)."""
    said = [value.strip() for value in values if value.strip()]
    return (
        len(said) >= 2
        and len(set(said)) == len(said)
        and all(re.fullmatch(r"\d{1,20}", value) for value in said)
    )


def names_teams(heading: str, values: Sequence[str]) -> bool:
    """A column that says which team a reply is about: a heading that asks which team ("Which SPOT team is
    this reply about?", "Team") over answers that are names repeated across replies, not a scale,
    yes or no, or comments.

    "How satisfied are you with the support from the team?" names no team: it does not ask which,
    and its answers are a scale.
    """
    said = [value for value in values if value.strip()]
    if not said or not _TEAM_HEADING.match(" ".join(_words(heading))) or is_scale(said) or is_free_text(said):
        return False
    distinct = {value.lower() for value in said}
    return len(distinct) <= 20 and all(len(value) <= 120 for value in said)
