"""The reminder pages: "Your reminders" for everyone on the plan; the Teams channels and the reminders that
could not be delivered, for administrators."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from tracker.extensions import db
from tracker.forms import id_arg, once, show_error
from tracker.models import utcnow
from tracker.reminders import bp
from tracker.reminders.forms import EVERY_PARTNER, ButtonForm, ChannelForm, EditChannelForm, preferences_form
from tracker.reminders.models import TeamsChannel
from tracker.reminders.settings import (
    ReminderSettingsError,
    add_channel,
    delivery_problems,
    kind_meanings,
    kinds_for,
    list_channels,
    preferences_of,
    save_preferences,
    set_channel_active,
    stuck_after_words,
    update_channel,
)


@bp.route("/account/reminders", methods=["GET", "POST"])
def preferences():
    """Leaders, officers and viewers choose how often they hear about each kind of reminder."""
    kinds, meanings = kinds_for(current_user), kind_meanings()
    form = preferences_form(kinds, preferences_of(current_user), meanings)
    if form.validate_on_submit():
        save_preferences(current_user, form.chosen(kinds))
        flash("Your reminder choices have been saved.", "success")
        return redirect(url_for("reminders.preferences"))
    return render_template("reminders/preferences.html", form=form, kinds=kinds)


@bp.route("/admin/teams")
def teams():
    """Administrators see the Teams channels that get a daily summary, their addresses masked."""
    return render_template("reminders/teams.html", channels=list_channels(), button=ButtonForm())


@bp.route("/admin/teams/new", methods=["GET", "POST"])
@once(TeamsChannel, lambda _channel: url_for("reminders.teams"))
def create_channel():
    """An administrator adds a Teams channel by its Workflows webhook address."""
    form = ChannelForm()
    if form.validate_on_submit():
        try:
            channel = add_channel(current_user, form.data_sent())
        except ReminderSettingsError as error:
            show_error(form, error)
        else:
            flash(f"Added {channel.name}: it gets a summary each day.", "success")
            return redirect(url_for("reminders.teams"))
    return render_template("reminders/channel_form.html", form=form, channel=None)


@bp.route("/admin/teams/<int:channel_id>", methods=["GET", "POST"])
def edit_channel(channel_id: int):
    """An administrator changes a channel's name, partner or address (never shown: only replaced)."""
    channel = db.get_or_404(TeamsChannel, channel_id)
    partner = channel.partner.value if channel.partner else EVERY_PARTNER
    form = EditChannelForm(data={"name": channel.name, "partner": partner})  # never the address
    if form.validate_on_submit():
        try:
            update_channel(current_user, channel, form.data_sent())
        except ReminderSettingsError as error:
            show_error(form, error)
        else:
            flash(f"Saved the changes to {channel.name}.", "success")
            return redirect(url_for("reminders.teams"))
    return render_template("reminders/channel_form.html", form=form, channel=channel)


@bp.route("/admin/teams/<int:channel_id>/active", methods=["POST"])
def toggle_channel(channel_id: int):
    """An administrator turns a channel's daily summary off, or on again."""
    channel = db.get_or_404(TeamsChannel, channel_id)
    if ButtonForm().validate_on_submit():
        set_channel_active(current_user, channel, not channel.active)
        flash(
            f"{channel.name} {'gets a summary each day again' if channel.active else 'is turned off'}.",
            "success",
        )
    return redirect(url_for("reminders.teams"))


@bp.route("/admin/reminders")
def problems():
    """Administrators see the digests and Teams summaries that failed, were given up or are stuck, newest
    first."""
    return render_template(
        "reminders/problems.html",
        page=delivery_problems(id_arg("page") or 1, utcnow()),
        stuck_after=stuck_after_words(),
    )
