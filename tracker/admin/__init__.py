"""Administration: the people who can sign in and their roles, the domains that must use single sign-on, and
the audit log."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from tracker.admin import audit_views, sso_views, views  # noqa: E402,F401
