"""The one-pass select and tag render what GOV.UK Frontend's macros would, with every value escaped."""

from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice

from tracker.forms import LongSelect
from tracker.templating import tag


class OwnerFilter(FlaskForm):
    class Meta:
        csrf = False

    owner = SelectField("Owner", widget=LongSelect())


def test_a_long_select_marks_the_chosen_option_and_escapes_names(app):
    with app.test_request_context("/?owner=2"):
        form = OwnerFilter(meta={"csrf": False}, formdata=None, owner="2")
        form.owner.choices = [
            SelectChoice("", "Any owner"),
            SelectChoice("1", "<script>alert(1)</script>"),
            SelectChoice("2", "Jo O'Neill & Sam"),
        ]
        html = form.owner(params={"classes": "govuk-!-width-full"})
    assert '<label class="govuk-label" for="owner">Owner</label>' in html
    assert '<select class="govuk-select govuk-!-width-full" id="owner" name="owner">' in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>" not in html
    assert '<option value="2" selected>Jo O&#39;Neill &amp; Sam</option>' in html


def test_a_long_select_shows_its_error_like_the_design_system(app):
    with app.test_request_context("/"):
        form = OwnerFilter(meta={"csrf": False}, formdata=None)
        form.owner.choices = [SelectChoice("", "Any owner")]
        form.owner.errors = ["Choose an owner from the list."]
        html = form.owner()
    assert 'class="govuk-form-group govuk-form-group--error"' in html
    assert (
        '<p id="owner-error" class="govuk-error-message"><span class="govuk-visually-hidden">Error:</span> '
        "Choose an owner"
    ) in html
    assert 'aria-describedby="owner-error"' in html and "govuk-select--error" in html


def test_a_tag_escapes_its_text():
    assert (
        str(tag("<b>Red</b>", "govuk-tag--red"))
        == '<strong class="govuk-tag govuk-tag--red">&lt;b&gt;Red&lt;/b&gt;</strong>'
    )
    assert str(tag("Draft")) == '<strong class="govuk-tag">Draft</strong>'
