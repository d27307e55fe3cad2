"""The API tokens page (/account/api-tokens): leaders, officers and viewers make a token for a report, see the
value once, and revoke it. Administrators run the system, not the plan, and make none."""

from datetime import timedelta

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from tracker.api import tokens_bp
from tracker.api.forms import CHOSEN_DAY, TokenForm
from tracker.api.models import ApiToken
from tracker.api.tokens import ApiTokenError, make_token, revoke_token, tokens_of
from tracker.dates import today
from tracker.extensions import db
from tracker.forms import once, show_error
from tracker.models import utcnow
from tracker.permissions import require


@tokens_bp.route("/account/api-tokens", methods=["GET", "POST"])
@once(ApiToken, lambda _token: url_for("api_tokens.index"))
def index():
    """The person's tokens, and the form to make one; the new token's value is on the page that answers the
    form, once, and nowhere else."""
    form = TokenForm()
    made = None
    if form.validate_on_submit():
        if form.lasts.data == CHOSEN_DAY:
            last_day = form.expires_on.data
        else:
            last_day = today() + timedelta(days=int(form.lasts.data))
        if last_day is None:
            form.expires_on.errors = [*form.expires_on.errors, "Enter the last day the token works."]
        else:
            try:
                made = make_token(current_user, form.name.data, last_day)
            except ApiTokenError as error:
                show_error(form, error)
            else:
                form = TokenForm(formdata=None)
    return render_template(
        "api/tokens.html",
        form=form,
        tokens=tokens_of(current_user),
        made=made,
        now=utcnow(),
        one_day=timedelta(days=1),
    )


@tokens_bp.route("/account/api-tokens/<int:token_id>/revoke", methods=["POST"])
def revoke(token_id: int):
    """The token stops working at once. Only its maker revokes it from here (someone else's is not found)."""
    token = db.get_or_404(ApiToken, token_id)
    require(token.user_id == current_user.id, hide=True)
    revoke_token(current_user, token)
    flash(f"Revoked {token.name}: it no longer works.", "success")
    return redirect(url_for("api_tokens.index"))
