"""What people read where the code's names and counts become words: a reference keeps its case, RAG stays in
capitals, an override's reasons read as sentences (tracker.text, docs/style.md "Words")."""

import lxml.html

from tests import factories


def _text(page: str, path: str) -> str:
    return " ".join(lxml.html.fromstring(page).find(path).text_content().split())


def test_an_actions_history_keeps_its_reference_and_says_rag_in_capitals(leader_client):
    action = factories.ActionFactory(reference="A6", findings=[factories.FindingFactory()])
    leader_client.post(f"/actions/{action.id}/rag", data={"rag": "green", "reason": "Funding agreed."})
    page = leader_client.get(f"/actions/{action.id}/history").get_data(as_text=True)
    assert _text(page, ".//title").startswith("History of action A6")
    assert _text(page, ".//h1") == "History of action A6"
    assert _text(page, ".//a[@class='govuk-back-link']") == "Back to action A6"
    table = _text(page, ".//table")
    assert "RAG overridden" in table and "RAG override reason" in table
    assert "Rag " not in table


def test_a_findings_history_keeps_its_reference(leader_client):
    finding = factories.FindingFactory(reference="AFI2")
    page = leader_client.get(f"/findings/{finding.id}/history").get_data(as_text=True)
    assert _text(page, ".//h1") == "History of finding AFI2"


def test_an_overrides_reasons_read_as_sentences_each_with_one_full_stop(leader_client):
    action = factories.ActionFactory(findings=[factories.FindingFactory()])
    page = leader_client.post(
        f"/actions/{action.id}/rag",
        data={"rag": "amber", "reason": "Awaiting the new date."},
        follow_redirects=True,
    ).get_data(as_text=True)
    main = _text(page, ".//main")
    assert "Amber. Set by a leader: Awaiting the new date. Computed as " in main
    assert "., " not in main and ".." not in main
