"""Data migrations keep what users entered, both ways."""

import hashlib

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from config import TestConfig
from tracker import create_app

BEFORE_TAGS = "03b7cb49baac"


def test_comment_theme_and_finding_become_tags_and_come_back_on_downgrade(tmp_path):
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'migrate.db'}"

    app = create_app(Config)
    with app.app_context():
        from tracker.extensions import db

        upgrade(revision=BEFORE_TAGS)
        with db.engine.begin() as connection:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.execute(
                sa.text(
                    "INSERT INTO survey_comment (id, survey_id, group_id, text, theme_id, finding_id, "
                    "created_at) VALUES (1, 1, 1, 'Options are hard to find', 7, 9, '2026-05-01 00:00:00'),"
                    " (2, 1, 1, 'No tags', NULL, NULL, '2026-05-01 00:00:00')"
                )
            )
        upgrade()
        with db.engine.connect() as connection:
            assert connection.execute(sa.text("SELECT comment_id, theme_id FROM comment_theme")).all() == [
                (1, 7)
            ]
            assert connection.execute(
                sa.text("SELECT comment_id, finding_id FROM comment_finding")
            ).all() == [(1, 9)]
        downgrade(revision=BEFORE_TAGS)
        with db.engine.connect() as connection:
            rows = connection.execute(
                sa.text("SELECT id, theme_id, finding_id FROM survey_comment ORDER BY id")
            ).all()
        assert rows == [(1, 7, 9), (2, None, None)]
        db.engine.dispose()


BEFORE_KEYED_RESPONDENTS = "15a1000000e5"


def test_bare_respondent_hashes_become_the_keyed_ids_a_later_import_stores_and_stay_so(tmp_path):
    from tracker.surveys.importer import respondent_key

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'migrate.db'}"

    app = create_app(Config)
    with app.app_context():
        from tracker.extensions import db

        upgrade(revision=BEFORE_KEYED_RESPONDENTS)
        bare = hashlib.sha256(b"maple court primary school").hexdigest()  # what earlier versions stored
        with db.engine.begin() as connection:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.execute(
                sa.text(
                    "INSERT INTO survey_reply (id, survey_id, group_id, respondent_key, team, source_row) "
                    f"VALUES (1, 1, 1, '{bare}', '', 'microsoft_forms:1'), (2, 1, 1, NULL, '', "
                    "'microsoft_forms:2')"
                )
            )
        upgrade()
        keyed = respondent_key("Maple Court Primary School")
        stored = "SELECT id, respondent_key FROM survey_reply ORDER BY id"
        with db.engine.connect() as connection:
            assert connection.execute(sa.text(stored)).all() == [(1, keyed), (2, None)]
        downgrade(
            revision=BEFORE_KEYED_RESPONDENTS
        )  # the bare hash cannot come back; upgrading again keys nothing twice
        upgrade()
        with db.engine.connect() as connection:
            assert connection.execute(sa.text(stored)).all() == [(1, keyed), (2, None)]
        db.engine.dispose()
