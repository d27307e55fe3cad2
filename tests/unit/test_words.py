"""Words made from counts and names, made once (tracker.text) for pages, messages and exports."""

import pytest

from tracker.text import as_words, counted, plural, with_article


@pytest.mark.parametrize(
    ("count", "one", "many", "words"),
    [
        (0, "finding", None, "0 findings"),
        (1, "finding", None, "1 finding"),
        (2, "amber finding", None, "2 amber findings"),
        (1, "reply", None, "1 reply"),
        (39, "SENCO reply", None, "39 SENCO replies"),
        (2, "day", None, "2 days"),  # a vowel before the y: only an s
        (3, "entry", None, "3 entries"),
        (2, "Teams summary", None, "2 Teams summaries"),
        (2, "match", None, "2 matches"),
        (1204, "event", None, "1,204 events"),
        (
            2,
            "inspection and self-evaluation",
            "inspections and self-evaluations",
            "2 inspections and self-evaluations",
        ),
        (
            1,
            "inspection and self-evaluation",
            "inspections and self-evaluations",
            "1 inspection and self-evaluation",
        ),
    ],
)
def test_a_count_meets_its_noun(count, one, many, words):
    assert counted(count, one, many) == words


def test_plural_alone_gives_the_words_for_a_count_shown_apart_such_as_a_verb_that_agrees():
    assert plural(1, "is", "are") == "is" and plural(0, "is", "are") == "are"
    assert plural(1, "action") == "action" and plural(2, "action") == "actions"
    assert plural(1.5, "hour") == "hours"


def test_the_article_before_a_role_is_said_as_it_sounds():
    assert with_article("officer") == "an officer"
    assert with_article("admin") == "an admin"
    assert with_article("leader") == "a leader"
    assert with_article("viewer") == "a viewer"


def test_names_from_the_code_read_as_words_with_acronyms_in_capitals():
    assert as_words("rag_overridden") == "RAG overridden"
    assert as_words("rag_override_reason") == "RAG override reason"
    assert as_words("due_date") == "Due date"
    assert as_words("percent_complete") == "Percent complete"
