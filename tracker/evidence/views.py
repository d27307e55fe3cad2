"""Evidence pages."""

from flask import render_template
from flask_login import current_user

from tracker.evidence import bp
from tracker.evidence.services import list_visible_evidence


@bp.route("")
def index():
    """All evidence this person may see, newest first; restricted items only for leaders and uploaders."""
    return render_template("evidence/index.html", items=list_visible_evidence(current_user))
