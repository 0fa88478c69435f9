"""Feedback and petitions (phản ánh, kiến nghị): intake, tracking, handling, publication."""
from __future__ import annotations

from flask import Flask


def _add_links(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from feedback import access
    from portal.templating import Entry, add_entry

    add_entry(app, "menu", Entry("feedback.new", _l("Send feedback")))
    add_entry(app, "menu", Entry("feedback.track", _l("Track feedback")))
    add_entry(app, "menu", Entry("feedback.published", _l("Answered feedback")))
    add_entry(app, "home", Entry("feedback.new", _l("Send feedback or a petition"), _l(
        "Tell us about a problem with a procedure or an officer, or propose an improvement. "
        "You get a tracking code and an answer within the legal time limit.")))
    add_entry(app, "home", Entry("feedback.track", _l("Track your feedback"), _l(
        "With your code and phone number or email: status, deadline and the answer.")))
    add_entry(app, "home", Entry("feedback.published", _l("Answered feedback"), _l(
        "Feedback the department has handled, and its answers, without personal data.")))
    add_entry(app, "staff", Entry("feedback_staff.queue", _l("Feedback queue"), _l(
        "Classify, assign, handle, review and answer feedback before its deadline."),
        access.WORKERS))
    add_entry(app, "staff", Entry("feedback_staff.intake", _l("Log feedback from a call or letter"),
                                  _l("Transcribe a hotline call, a visit, a letter or an email."),
                                  access.INTAKE))
    add_entry(app, "staff", Entry("feedback_staff.reviews", _l("Answers to review"), _l(
        "Answers the citizen said did not resolve the issue: confirm or return for rework."),
        access.REVIEWERS))
    add_entry(app, "staff", Entry("feedback_staff.reply_templates", _l("Reply templates"), _l(
        "The usual wording of answers, per outcome and field, with placeholders."),
        access.TEMPLATE_EDITORS))
    add_entry(app, "staff", Entry("feedback_staff.report", _l("Feedback reports"), _l(
        "Counts, on-time rate and the six-monthly report."), access.REPORT_READERS))
    add_entry(app, "staff", Entry("feedback_staff.outbox", _l("Email outbox"), _l(
        "Emails sent and waiting, with their errors."), access.ADMINISTRATORS))


def init_app(app: Flask) -> None:
    from feedback import access, cli, notify
    from feedback import workflow as wf
    from feedback.models import CHANNEL_LABELS, KIND_LABELS
    from feedback.staff_views import bp as staff_bp
    from feedback.views import bp
    from portal import outbox
    from portal.db import utcnow
    from portal.qrcodes import public_url

    app.register_blueprint(bp)
    app.register_blueprint(staff_bp)
    _add_links(app)
    cli.init_app(app)
    outbox.register(app, notify.queue, notify.backlog)
    from feedback.services import skip_numbers_after_restore
    from portal.backup import register_after_restore

    register_after_restore(app, skip_numbers_after_restore)
    from feedback import erasure
    from portal import retention

    # files and messages first: a run that also erases their ticket counts them there, in the
    # dry run as in the real one
    retention.register(app, "tickets' attachments", erasure.erase_expired_attachments,
                       "deleted")
    retention.register(app, "messages' recipients and texts", erasure.erase_old_messages,
                       "erased")
    retention.register(app, "tickets' personal data", erasure.erase_expired_contacts, "erased")
    app.jinja_env.globals.update(
        public_url=public_url, wf=wf, access=access, now_utc=utcnow,
        wf_kind_label=lambda kind: KIND_LABELS.get(kind, kind),
        channel_label=lambda channel: CHANNEL_LABELS.get(channel, channel),
        event_label=lambda action: wf.EVENT_LABELS.get(action, action),
        refusal_reason_label=lambda code: wf.REFUSAL_REASONS.get(code, ""))
