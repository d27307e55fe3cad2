"""Framework files: the shipped framework and a later version kept apart, a malformed file refused whole with
its line and reason, the same file loaded twice, and `flask frameworks load` / `list`."""

from pathlib import Path

import pytest
import sqlalchemy as sa

from tracker.audit import AuditEvent
from tracker.extensions import db
from tracker.frameworks.loader import SHIPPED, FrameworkFileError, load_framework, read_framework
from tracker.frameworks.models import Criterion, EvaluationArea, Framework
from tracker.frameworks.services import current_framework, list_frameworks

LATER = Path(__file__).parents[1] / "data" / "frameworks" / "area-send-2027-draft.yaml"
GOOD = LATER.read_text()


def keys(framework: Framework) -> set[str]:
    return set(db.session.scalars(sa.select(Criterion.key).where(Criterion.framework_id == framework.id)))


def test_the_shipped_framework_and_a_later_version_are_kept_apart():
    shipped = load_framework(SHIPPED.read_bytes()).framework
    later = load_framework(LATER.read_bytes()).framework
    assert keys(shipped) == {"A1", "A2", "A3", "A4", "A5", "B1", "B2", "B3", "B4", "B5", "B6", "AP1"}
    assert keys(later) == {"I1", "I2", "P1"}
    assert [f.version for f in list_frameworks()] == ["2025-07", "2027-draft"]
    assert current_framework().id == shipped.id  # the draft has no publication date
    areas = db.session.scalars(
        sa.select(EvaluationArea.key).where(EvaluationArea.framework_id == later.id)
    ).all()
    assert sorted(areas) == ["impact", "partnership"]
    a3 = db.session.scalar(
        sa.select(Criterion).where(Criterion.framework_id == shipped.id, Criterion.key == "A3")
    )
    assert a3.wording == "Children and young people receive the right help at the right time."
    assert a3.area.key == "experiences"
    assert (
        "could not be checked" in shipped.wording_note or "Not checked word for word" in shipped.wording_note
    )
    assert [outcome["key"] for outcome in shipped.outcomes] == ["positive", "inconsistent", "systemic"]
    verbs = db.session.scalars(sa.select(AuditEvent.verb).where(AuditEvent.entity_type == "framework")).all()
    assert verbs == ["framework.loaded", "framework.loaded"]
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.verb == "criterion.created")
        )
        == 15
    )


def test_the_same_file_again_changes_nothing_and_a_changed_file_needs_a_new_version():
    first = load_framework(LATER.read_bytes())
    again = load_framework(LATER.read_bytes())
    assert first.created and not again.created and again.framework.id == first.framework.id
    assert "nothing changed" in again.line()
    with pytest.raises(FrameworkFileError) as refused:
        load_framework(GOOD.replace("Needs are identified early", "Needs are found early").encode())
    assert refused.value.line == 4  # the version's line
    assert "already loaded from a different file" in refused.value.reason
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Framework)) == 1


MALFORMED = [
    # what is wrong, the file, its line, words of the reason
    ("YAML syntax", GOOD.replace('version: "2027-draft"', 'version: ["2027-draft"'), 5, "not valid YAML"),
    (
        "a key twice in one mapping",
        GOOD.replace(
            "    title: Early identification\n", "    title: Early identification\n    title: Again\n"
        ),
        23,
        "'title' is given twice",
    ),
    (
        "a missing field",
        GOOD.replace("    wording: Partners hold each other to account for the outcomes they agreed.\n", ""),
        28,
        "'wording' is missing in criteria item 3",
    ),
    (
        "a missing top-level field",
        GOOD.replace("name: Area SEND inspection framework (draft for testing)\n", ""),
        3,
        "'name' is missing",
    ),
    (
        "a wrong type",
        GOOD.replace("    title: Shared accountability", "    title: [1, 2]"),
        30,
        "'title' in criteria item 3 must be text, not a list",
    ),
    (
        "a number for text",
        GOOD.replace('version: "2027-draft"', "version: 2027"),
        4,
        "'version' must be text",
    ),
    (
        "a field the file does not have",
        GOOD.replace(
            "    area: impact\n    title: Early", "    area: impact\n    colour: red\n    title: Early"
        ),
        22,
        "'colour' in criteria item 1 is not a field",
    ),
    (
        "an area key twice",
        GOOD.replace("  - key: partnership", "  - key: impact"),
        16,
        "areas key 'impact' is given twice (first on line 14)",
    ),
    (
        "a criterion key twice",
        GOOD.replace("  - key: I2", "  - key: I1"),
        24,
        "criteria key 'I1' is given twice (first on line 20)",
    ),
    (
        "an unknown area",
        GOOD.replace("    area: partnership", "    area: leadership"),
        29,
        "names area 'leadership'",
    ),
    ("no criteria", GOOD.split("criteria:")[0] + "criteria: []\n", 19, "'criteria' must list at least one"),
    ("not a mapping", "- key: area-send\n", 1, "must be a mapping"),
]


@pytest.mark.parametrize(
    ("content", "line", "reason"), [case[1:] for case in MALFORMED], ids=[case[0] for case in MALFORMED]
)
def test_a_malformed_file_is_refused_whole_with_its_line_and_reason(content, line, reason):
    with pytest.raises(FrameworkFileError) as refused:
        load_framework(content.encode())
    assert (refused.value.line, reason in refused.value.reason) == (line, True), refused.value.reason
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Framework)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Criterion)) == 0


def test_a_file_that_is_not_utf8_is_refused():
    with pytest.raises(FrameworkFileError) as refused:
        read_framework(b"key: a\nname: \xff\n")
    assert refused.value.line == 2 and "UTF-8" in refused.value.reason


def test_flask_frameworks_load_and_list(runner, tmp_path):
    loaded = runner.invoke(args=["frameworks", "load", str(SHIPPED)])
    assert (
        loaded.exit_code == 0
        and "Loaded Area SEND inspection framework" in loaded.output
        and "12 criteria" in loaded.output
    )
    again = runner.invoke(args=["frameworks", "load", str(SHIPPED)])
    assert again.exit_code == 0 and "nothing changed" in again.output
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.replace("    area: partnership", "    area: leadership"))
    refused = runner.invoke(args=["frameworks", "load", str(bad)])
    assert refused.exit_code == 1
    assert refused.output.strip().splitlines() == [
        f"{bad}:29: criterion P1 names area 'leadership', which the file's "
        "areas do not have (impact, partnership)"
    ]
    missing = runner.invoke(args=["frameworks", "load", str(tmp_path / "none.yaml")])
    assert missing.exit_code == 1 and missing.output.startswith(
        f"{tmp_path / 'none.yaml'}:1: the file cannot be read"
    )
    listed = runner.invoke(args=["frameworks", "list"])
    assert listed.exit_code == 0 and "area-send 2025-07" in listed.output and "(current)" in listed.output
