"""The self-evaluation (SEF): a statement per criterion of the current framework, its versions,
citations and sign-off."""

from flask import Blueprint

bp = Blueprint("sef", __name__, url_prefix="/self-evaluation")

from tracker.sef import views  # noqa: E402,F401
