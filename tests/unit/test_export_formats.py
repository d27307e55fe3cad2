"""One list of export formats: the routes, the form, the command line and the files all read it."""

from tracker.exports.formats import FORMATS, SEF_FORMATS, SUMMARY_COMMAND_FORMATS, SUMMARY_FORMATS


def test_the_forms_routes_and_command_line_offer_the_registered_formats(app):
    from tracker.exports.forms import WHAT_CHOICES
    from tracker.exports.services import RENDERERS

    assert [choice.value for choice in WHAT_CHOICES] == [*SUMMARY_FORMATS, "zip"]
    assert [choice.label for choice in WHAT_CHOICES][:3] == [
        "Progress summary as a PDF",
        "Progress summary as a Word document",
        "Progress summary as an Excel workbook",
    ]
    assert set(RENDERERS) == set(SUMMARY_COMMAND_FORMATS) and set(SEF_FORMATS) <= set(FORMATS)
    rules = {rule.rule for rule in app.url_map.iter_rules()}
    assert (
        "/exports/summary.<any(pdf, docx, xlsx):fmt>" in rules
        and "/exports/self-evaluation.<any(docx, pdf):fmt>" in rules
    )


def test_an_unregistered_format_is_not_an_address(leader_client):
    assert leader_client.get("/exports/summary.odt").status_code == 404
    assert leader_client.get("/exports/self-evaluation.xlsx").status_code == 404
