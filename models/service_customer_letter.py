"""A letter to the customer about a contract (the Loi Chatel renewal
reminder, the price revision letter): sent by email when the person it is
addressed to has an address, by post otherwise. By post, the letter (PDF,
or its HTML body without a PDF engine) is stored and attached to an
activity asking the contract's responsible to post it."""

from odoo import models


class ServiceCustomerLetterMixin(models.AbstractModel):
    _name = "service.customer.letter.mixin"
    _inherit = ["service.stored.pdf.mixin"]
    _description = "Letter to the Customer"

    def _get_letter_contract(self):
        """The contract the letter is about."""
        raise NotImplementedError

    def _get_letter_recipient(self):
        """The person the letter is addressed to (as in its mail templates):
        the contract's signatory, else its customer."""
        self.ensure_one()
        contract = self._get_letter_contract()
        return contract.signatory_id or contract.partner_id

    def _send_letters(self, send_by_email, send_by_post):
        """Send the letter of each record: ``send_by_email(records)`` for
        those whose recipient has an email address, which returns the
        records it sent; ``send_by_post(records)`` for all the others."""
        by_email = self.filtered(lambda r: r._get_letter_recipient().email_normalized)
        sent = send_by_email(by_email) if by_email else by_email
        send_by_post(self - sent)

    def _prepare_letter_file_vals(self, name, content):
        """The letter ``content`` as a file stored on this record: a PDF, or
        the HTML body when no PDF engine rendered it."""
        mimetype = "application/pdf" if content[:4] == b"%PDF" else "text/html"
        return self._prepare_file_vals(name, content, mimetype=mimetype)

    def _schedule_letter_by_post(self, attachment, summary, note, date_deadline=None):
        """Ask the responsible of the contract (else the current user) to
        post the letter: a to-do on the contract, ``attachment`` attached.
        Returns the activity."""
        self.ensure_one()
        contract = self._get_letter_contract()
        activity = contract.activity_schedule(
            activity_type_id=self.env.ref("mail.mail_activity_data_todo").id,
            summary=summary,
            note=note,
            date_deadline=date_deadline,
            user_id=(contract.user_id or self.env.user).id,
        )
        if activity:
            activity.attachment_ids = attachment.with_env(self.env)
        return activity
