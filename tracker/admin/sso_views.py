"""The email domains that must sign in by single sign-on: for administrators only."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from tracker.admin import bp
from tracker.admin.forms import RemoveSsoDomainForm, SsoDomainForm
from tracker.auth import sso
from tracker.auth.models import SsoRequiredDomain
from tracker.auth.services import AuthError
from tracker.auth.sso_domains import add_required_domain, list_required_domains, remove_required_domain
from tracker.extensions import db
from tracker.forms import once, show_error
from tracker.permissions import signed_in_by_sso


@bp.route("/sso", methods=["GET", "POST"])
@once(SsoRequiredDomain, lambda _domain: url_for("admin.sso_domains"))
def sso_domains():
    """The domains whose people must use single sign-on, and a form to add one."""
    form = SsoDomainForm()
    if form.validate_on_submit():
        try:
            added = add_required_domain(current_user, form.domain.data, signed_in_by_sso())
        except AuthError as error:
            show_error(form, error)
        else:
            flash(f"People with an @{added.domain} address must now sign in with single sign-on.", "success")
            return redirect(url_for("admin.sso_domains"))
    return render_template(
        "admin/sso_domains.html",
        form=form,
        domains=list_required_domains(),
        sso=sso.settings(),
        button=RemoveSsoDomainForm(),
    )


@bp.route("/sso/<int:domain_id>/remove", methods=["POST"])
def remove_sso_domain(domain_id: int):
    """Stop requiring single sign-on for a domain added here: its people may use their passwords again."""
    row = db.get_or_404(SsoRequiredDomain, domain_id)
    if RemoveSsoDomainForm().validate_on_submit():
        remove_required_domain(current_user, row)
        still = (
            " (the server's configuration still requires it)"
            if row.domain in sso.configured_domains()
            else ""
        )
        flash(f"People with an @{row.domain} address may sign in with a password again{still}.", "success")
    return redirect(url_for("admin.sso_domains"))
