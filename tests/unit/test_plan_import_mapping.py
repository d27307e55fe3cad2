"""What a plan's headings and words mean: column suggestions, the partner vocabulary and what leaders teach
it, people by email or name (and names that two people share), the RAG words, and the saved mapping."""

import pytest

from tests import factories
from tracker.auth.models import User
from tracker.extensions import db
from tracker.mapping import headings_signature, load_mapping, save_mapping
from tracker.plan.import_columns import (
    COMPLETE,
    DEFAULT_PARTNER_WORDS,
    PARTNER_WORDS_SIGNATURE,
    PARTNERS_KIND,
    People,
    name_key,
    partner_key,
    partner_words,
    read_rag,
    split_people,
    suggest_columns,
)
from tracker.plan.models import Partner
from tracker.plan.rag import Rag


def test_a_councils_headings_are_suggested_as_the_fields_they_hold():
    headings = [
        "Ref",
        "Area for improvement",
        "Action",
        "Lead officer",
        "Partner",
        "Target date",
        "RAG",
        "% complete",
        "Progress update",
        "Evidence",
        "Notes",
    ]
    assert list(suggest_columns({heading: heading for heading in headings}).values()) == [
        "reference",
        "findings",
        "description",
        "owner",
        "partner",
        "due_date",
        "rag",
        "percent_complete",
        "progress",
        "evidence",
        "ignore",
    ]


@pytest.mark.parametrize(
    ("heading", "field"),
    [
        ("Action No.", "reference"),
        ("AREA FOR PRIORITY ACTION", "findings"),
        ("Responsible officer", "owner"),
        ("Lead Agency", "partner"),
        ("Target completion date", "due_date"),
        ("Timescale", "due_date"),
        ("RAG status (R/A/G)", "rag"),
        ("BRAG rating", "rag"),
        ("Progress %", "percent_complete"),
        ("Progress to date", "progress"),
        ("Evidence of impact", "evidence"),
        ("Success criteria", "intended_outcome"),
        ("Action owner", "owner"),
        ("owner_email", "owner"),
        ("due_date", "due_date"),
        ("Key actions", "description"),
        ("Date of birth", "ignore"),
        ("Budget (£)", "ignore"),
    ],
)
def test_common_variants_are_recognised_and_others_left_out(heading, field):
    assert suggest_columns({heading: heading})[heading] == field


def test_each_field_goes_to_one_column_the_exact_heading_first():
    suggested = suggest_columns(
        {
            "Progress update and evidence": "Progress update and evidence",
            "Progress": "Progress",
            "Evidence": "Evidence",
        }
    )
    assert suggested == {
        "Progress update and evidence": "ignore",
        "Progress": "progress",
        "Evidence": "evidence",
    }


@pytest.mark.parametrize(
    ("written", "partner"),
    [
        ("LA", Partner.COUNCIL),
        ("Local Authority", Partner.COUNCIL),
        ("Council", Partner.COUNCIL),
        ("ICB", Partner.ICB),
        ("Health", Partner.ICB),
        ("NHS", Partner.ICB),
        ("Joint", Partner.BOTH),
        ("LA / ICB", Partner.BOTH),
        ("LA & Health", Partner.BOTH),
        ("PCF", Partner.OTHER),
        ("Children’s Services", Partner.COUNCIL),
        ("Schools", Partner.OTHER),
    ],
)
def test_the_partner_vocabulary_reads_a_councils_words(written, partner):
    assert partner_words()[partner_key(written)] is partner


def test_leaders_teach_the_vocabulary_new_words_and_can_change_a_default():
    assert partner_key("Schools Forum") not in partner_words()
    save_mapping(
        None,
        PARTNERS_KIND,
        PARTNER_WORDS_SIGNATURE,
        {"schools forum": "other", "health": "both", "nonsense": "planet"},
    )
    words = partner_words()
    assert (words["schools forum"], words["health"], words["la"]) == (
        Partner.OTHER,
        Partner.BOTH,
        Partner.COUNCIL,
    )
    assert "nonsense" not in words and DEFAULT_PARTNER_WORDS["health"] is Partner.ICB


@pytest.mark.parametrize(
    ("written", "found", "warning"),
    [
        ("G", Rag.GREEN, None),
        ("red", Rag.RED, None),
        ("Amber", Rag.AMBER, None),
        ("Blue", COMPLETE, None),
        ("Complete", COMPLETE, None),
        ("", None, None),
        ("Amber/Green", Rag.AMBER, "RAG “Amber/Green” is kept as amber, the less hopeful of the two."),
    ],
)
def test_rag_words(written, found, warning):
    assert read_rag(written) == (found, warning)
    with pytest.raises(KeyError):
        read_rag("Purple")


@pytest.mark.parametrize(
    ("written", "people"),
    [
        ("Jo Bloggs / Priya Shah", ["Jo Bloggs", "Priya Shah"]),
        ("a@x.example; b@y.example", ["a@x.example", "b@y.example"]),
        ("Jo Bloggs and Priya Shah", ["Jo Bloggs", "Priya Shah"]),
        ("Jo Bloggs, Priya Shah", ["Jo Bloggs", "Priya Shah"]),
        ("Shah, Priya", ["Shah, Priya"]),
        ("Priya Shah (Head of SEND)", ["Priya Shah"]),
    ],
)
def test_a_cell_naming_several_people_is_split_but_a_surname_first_name_is_one(written, people):
    assert split_people(written) == people


def test_names_are_compared_without_titles_capitals_or_roles():
    assert name_key("Dr. PRIYA  Shah (Head of SEND)") == name_key("Shah, Priya") == "priya shah"


def test_people_are_found_by_email_or_name_and_a_shared_name_finds_everyone_who_has_it():
    priya = factories.UserFactory(name="Priya Shah", email="priya.shah@council.example")
    sams = [
        factories.UserFactory(name="Sam Patel", email=f"sam.patel@{where}.example")
        for where in ("icb", "council")
    ]
    factories.UserFactory(name="Ann Lee", active=False)
    people = People(db.session.query(User).filter(User.active.is_(True)).all())
    assert people.find("PRIYA.SHAH@council.example") == [priya]
    assert people.find("Mrs Priya Shah") == [priya]
    assert sorted(people.find("Sam Patel"), key=lambda user: user.id) == sams
    assert people.find("Ann Lee") == [] and people.find("nobody@council.example") == []


def test_a_mapping_is_saved_per_set_of_headings_whatever_their_order_or_capitals():
    signature = headings_signature(["Ref", "Lead  officer", "RAG"])
    assert (
        signature == headings_signature(["rag", "ref", "lead officer"]) != headings_signature(["Ref", "RAG"])
    )
    assert load_mapping("plan.columns", signature) is None
    save_mapping(None, "plan.columns", signature, {"columns": {"Ref": "reference"}})
    save_mapping(None, "plan.columns", signature, {"columns": {"Ref": "ignore"}})
    assert load_mapping("plan.columns", signature) == {"columns": {"Ref": "ignore"}}
