"""Migration 16a1000000c3: the free-text outcome becomes the report's summary, the framework's outcome is
filled only where the text names exactly one, every row gets a keyed event that still checks,
and a downgrade loses nothing."""

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from config import TestConfig
from tracker import create_app

BEFORE_OUTCOMES = "16a1000000b2"

ROWS = [
    (1, "Coventry has many strengths and is clear what needs to be done to secure further improvement."),
    (
        2,
        "The local area partnership's arrangements lead to inconsistent experiences and\noutcomes "
        "for children.",
    ),
    (3, "There are widespread and/or systemic failings leading to significant concerns."),
    (4, "Positive experiences and outcomes in places, inconsistent experiences and outcomes in others."),
    (5, ""),
]


def test_outcome_text_becomes_the_summary_the_outcome_is_named_only_when_clear_and_the_data_still_checks(
    tmp_path,
):
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'migrate.db'}"

    app = create_app(Config)
    with app.app_context():
        from tracker import audit
        from tracker.extensions import db

        upgrade(revision=BEFORE_OUTCOMES)
        with db.engine.begin() as connection:
            for row_id, text in ROWS:
                connection.execute(
                    sa.text(
                        "INSERT INTO inspection (id, title, local_area, inspectorates, type, outcome, "
                        "report_reference, created_at, updated_at) VALUES (:id, :title, 'Coventry', "
                        "'Ofsted and CQC', 'full', :text, '', '2025-12-01 09:00:00', '2025-12-01 09:00:00')"
                    ),
                    {"id": row_id, "title": f"Inspection {row_id}", "text": text},
                )
        upgrade()
        stored = "SELECT id, outcome, report_summary, plan_due_on FROM inspection ORDER BY id"
        with db.engine.connect() as connection:
            rows = connection.execute(sa.text(stored)).all()
        assert [(row[0], row[1]) for row in rows] == [
            (1, None),
            (2, "inconsistent"),
            (3, "systemic"),
            (4, None),
            (5, None),
        ]
        assert [row[2] for row in rows] == [text for _, text in ROWS] and {row[3] for row in rows} == {None}

        assert audit.verify_chain().whole
        checked = audit.verify_data()
        assert (checked.problems, checked.checked, checked.unrecorded.get("inspection")) == ([], 5, None)
        events = db.session.execute(
            sa.text(
                "SELECT entity_id, before, after FROM audit_event "
                "WHERE verb = 'inspection.migrated' ORDER BY entity_id"
            )
        ).all()
        assert len(events) == 5 and '"outcome": "inconsistent"' in events[1][2]

        with db.engine.begin() as connection:  # a leader then chooses an outcome and sets the plan's date
            connection.execute(
                sa.text("UPDATE inspection SET outcome = 'positive', plan_due_on = '2026-03-02' WHERE id = 5")
            )
        db.session.remove()
        downgrade(revision=BEFORE_OUTCOMES)
        with db.engine.connect() as connection:
            texts = connection.execute(sa.text("SELECT outcome FROM inspection ORDER BY id")).scalars().all()
        assert texts[:4] == [
            text for _, text in ROWS[:4]
        ]  # the outcome's words are already in the text: kept as they were
        assert texts[4] == "Outcome: Positive experiences and outcomes. Plan due on 2026-03-02."
        db.engine.dispose()
