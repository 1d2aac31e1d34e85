"""The customer's letter of a price revision, queued: the revision records
that a letter is to send, a separate batched step (scheduled action, or
*Send Letters* on the history list) sends it by email, or asks the
contract's responsible to post it when the customer has no email."""

import logging

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_date

_logger = logging.getLogger(__name__)

LETTER_STATES = [
    ("to_send", "To Send"),
    ("sent", "Sent"),
    ("post", "By Post"),
    ("none", "Not Needed"),
]

# The fields of the letter, the only ones a revision's history may change.
LETTER_FIELDS = {
    "letter_state",
    "letter_date",
    "letter_attachment_id",
    "letter_activity_id",
}


class ServiceContractRevision(models.Model):
    _name = "service.contract.revision"
    _inherit = ["service.contract.revision", "service.customer.letter.mixin"]

    letter_state = fields.Selection(
        LETTER_STATES,
        string="Letter",
        required=True,
        default="to_send",
        readonly=True,
        index=True,
        copy=False,
        help="To Send: the letter to the customer is queued, sent by the "
        "scheduled action or Send Letters. By Post: the customer has no "
        "email; the contract's responsible prints the attached letter and "
        "marks it sent.",
    )
    letter_date = fields.Date(string="Letter Sent On", readonly=True, copy=False)
    letter_attachment_id = fields.Many2one(
        "ir.attachment",
        string="Letter to Post",
        readonly=True,
        copy=False,
        ondelete="set null",
    )
    letter_activity_id = fields.Many2one(
        "mail.activity", readonly=True, copy=False, ondelete="set null"
    )

    def _get_writable_fields(self):
        return super()._get_writable_fields() | LETTER_FIELDS

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_send_letters(self):
        """Send Letters (history list): send now the letters of the selected
        revisions that are still to send; one that fails gets an activity
        on its contract, the others are sent."""
        self.env["service.contract"]._check_manager(
            self.env._("Only contract managers can send the revision letters.")
        )
        todo = self.filtered(lambda r: r.letter_state == "to_send")
        if not todo:
            raise UserError(
                self.env._("None of the selected revisions has a letter to send.")
            )
        self.env["service.contract"]._run_isolated(
            todo,
            lambda revisions: revisions._send_revision_letters(),
            self.env._("Price revision letter failed"),
            get_contracts=lambda revision: revision.contract_id,
        )
        return True

    def action_letter_sent_by_post(self):
        """The letter was posted: record it today and close the activity."""
        for revision in self:
            if revision.letter_state != "post":
                raise UserError(
                    self.env._(
                        "The letter of %(revision)s is not waiting to be posted.",
                        revision=revision.display_name,
                    )
                )
            revision._check_letter_responsible()
        activities = self.letter_activity_id
        self.sudo()._mark_letter_sent_by_post()
        if activities:
            activities.sudo().action_done()
        return True

    def _check_letter_responsible(self):
        """Managers, or the responsible of the contract, post the letter."""
        self.ensure_one()
        user = self.env.user
        if user != self.contract_id.user_id and not user.has_group(
            "service_contract.group_service_contract_manager"
        ):
            raise AccessError(
                self.env._(
                    "Only a contract manager or the responsible of %(contract)s "
                    "can record that its letter was posted.",
                    contract=self.contract_id.display_name,
                )
            )

    # ------------------------------------------------------------------
    # Sending
    # ------------------------------------------------------------------

    def _get_letter_contract(self):
        return self.contract_id

    def _send_revision_letters(self, today=None):
        """Send the letters of these revisions still to send: by email
        (queued) to a customer with an address, posted in the contract's
        chatter with the PDF; by post otherwise (see
        ``_schedule_letters_by_post``)."""
        todo = self.filtered(lambda r: r.letter_state == "to_send")
        if not todo:
            return
        todo.contract_id.fetch(["signatory_id", "partner_id", "company_id"])
        todo._send_letters(
            lambda revisions: revisions._send_letters_by_email(today),
            lambda revisions: revisions._schedule_letters_by_post(),
        )

    def _send_letters_by_email(self, today=None):
        """The emails are rendered for the whole batch, the PDFs in one run
        of the PDF engine; each letter is posted in its contract's chatter,
        queued for the mail queue (never sent from a batch rolled back).
        Returns the revisions sent."""
        if not self:
            return self
        template = self.env.ref("service_contract.mail_template_contract_revision")
        rendered = template._generate_template(
            self.ids, ["subject", "body_html", "email_from", "partner_to"]
        )
        letters = self._render_letters()
        for revision in self:
            values = rendered[revision.id]
            revision.contract_id.message_post(
                body=values.get("body_html", ""),
                subject=values.get("subject"),
                email_from=values.get("email_from") or None,
                partner_ids=values.get("partner_ids") or [],
                attachments=[letters[revision.id]] if revision.id in letters else [],
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                force_send=False,
            )
        self._set_letter_sent(today)
        return self

    def _set_letter_sent(self, today=None):
        """Sent on ``today`` (default: the day of each company)."""
        # Bookkeeping of the letter (the history is read-only to users).
        for company, revisions in self.grouped("company_id").items():
            revisions.sudo().write(
                {
                    "letter_state": "sent",
                    "letter_date": today or company._service_today(),
                }
            )

    def _schedule_letters_by_post(self):
        """A customer without email gets the letter by post: the PDF is
        attached to the revision, and the responsible of the contract gets
        an activity asking to post it and to mark it sent."""
        if not self:
            return
        letters = self._render_letters()
        # On the history (read-only to users): the letter is its bookkeeping.
        attachments = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                [
                    revision._prepare_letter_attachment_vals(letters.get(revision.id))
                    for revision in self
                ]
            )
        )
        summary = self._get_letter_by_post_summary()
        for revision, attachment in zip(self, attachments, strict=True):
            activity = revision._schedule_letter_by_post(
                attachment,
                summary,
                self.env._(
                    "%(customer)s has no email address: print the letter "
                    "attached, post it, then mark this activity done (or click "
                    '"Letter Sent by Post" on the revision of %(date)s).',
                    customer=revision._get_letter_recipient().display_name,
                    date=format_date(self.env, revision.date),
                ),
            )
            revision.sudo().write(
                {
                    "letter_state": "post",
                    "letter_attachment_id": attachment.id,
                    "letter_activity_id": activity.id,
                }
            )

    def _get_letter_by_post_summary(self):
        return self.env._("Send the revision letter by post")

    def _prepare_letter_attachment_vals(self, letter):
        """The letter as a PDF (or, without a PDF engine, its HTML body),
        stored on the revision."""
        self.ensure_one()
        if letter:
            name, content = letter
        else:
            name = self.env._(
                "Price revision - %(contract)s - %(date)s.html",
                contract=self.contract_id.name.replace("/", "-"),
                date=fields.Date.to_string(self.date),
            )
            content = (self._get_letter_body() or "").encode()
        return self._prepare_letter_file_vals(name, content)

    def _mark_letter_sent_by_post(self):
        """Record the letters of these revisions as posted today, with a note
        in each contract's chatter."""
        todo = self.filtered(lambda r: r.letter_state == "post")
        if not todo:
            return
        todo._set_letter_sent()
        todo.contract_id._message_log_batch(
            bodies={
                revision.contract_id.id: self.env._(
                    "Price revision letter of %(date)s sent by post on %(day)s.",
                    date=format_date(self.env, revision.date),
                    day=format_date(self.env, revision.letter_date),
                )
                for revision in todo
            }
        )


class MailActivity(models.Model):
    _inherit = "mail.activity"

    def _action_done(self, feedback=False, attachment_ids=None):
        """Marking done the activity 'send the revision letter by post'
        records the letter as posted."""
        revisions = (
            self.env["service.contract.revision"]
            .sudo()
            .search([("letter_activity_id", "in", self.ids)])
        )
        revisions._mark_letter_sent_by_post()
        return super()._action_done(feedback=feedback, attachment_ids=attachment_ids)


class ServiceContract(models.Model):
    _inherit = "service.contract"

    @api.model
    def _cron_send_revision_letters(self, today=None):
        """Daily, and as soon as revisions are applied (triggered): send the
        letters of the price revisions that are still to send, in batches
        locked with SKIP LOCKED (a letter is never sent twice); a letter
        that fails leaves an activity on its contract, the others are sent.
        Returns how many letters were processed."""
        summary = self.env._("Price revision letter failed")

        def send(revisions, day):
            revisions._send_revision_letters(day)
            return len(revisions)

        return sum(
            self._run_cron_batches(
                lambda _day: [("letter_state", "=", "to_send")],
                send,
                summary,
                today,
                model="service.contract.revision",
                get_contracts=lambda revision: revision.contract_id,
            )
        )

    def _queue_revision_letters(self):
        """Have the scheduled action send the letters queued, soon."""
        cron = self.env.ref(
            "service_contract.ir_cron_send_revision_letters", raise_if_not_found=False
        )
        if cron:
            cron.sudo()._trigger()
