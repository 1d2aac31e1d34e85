import logging

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import format_date

from .date_utils import CHATEL_REMINDER_FIRST_MONTHS, chatel_window
from .service_lifecycle_guard import lifecycle_action

_logger = logging.getLogger(__name__)


class ServiceContract(models.Model):
    """Loi Chatel (Code de la consommation, L215-1): a consumer with a tacit
    renewal is reminded, from 3 months to 1 month before the notice deadline,
    of the right not to renew; without that reminder, the consumer can end the
    contract at any time from the renewal."""

    _name = "service.contract"
    _inherit = ["service.contract", "service.customer.letter.mixin"]

    chatel_applies = fields.Boolean(
        string="Renewal Reminder Required",
        compute="_compute_chatel",
        help="Consumer customer with a tacit renewal: the right not to renew "
        "must be recalled before each notice deadline (Loi Chatel).",
    )
    chatel_window_start = fields.Date(string="Reminder From", compute="_compute_chatel")
    chatel_window_end = fields.Date(string="Reminder Until", compute="_compute_chatel")
    chatel_reminder_date = fields.Date(
        string="Renewal Reminder Sent",
        copy=False,
        readonly=True,
        tracking=True,
        help="Day the reminder of the current term was sent to the customer.",
    )
    chatel_terminable = fields.Boolean(
        string="Terminable at Any Time",
        copy=False,
        readonly=True,
        tracking=True,
        help="The renewal reminder was not sent in time: the customer can end "
        "the contract at any time, free of charge, from the renewal date.",
    )

    # Guarded fields (see service_lifecycle_guard.py).
    def _get_lifecycle_actions(self):
        return (
            *super()._get_lifecycle_actions(),
            "_send_chatel_reminders",
            "action_chatel_sent_by_post",
        )

    def _get_action_fields(self):
        return (
            *super()._get_action_fields(),
            "chatel_reminder_date",
            "chatel_terminable",
        )

    @api.depends("legal_category", "renewal_type", "notice_deadline")
    def _compute_chatel(self):
        for contract in self:
            contract.chatel_applies = (
                contract.legal_category == "consumer"
                and contract.renewal_type == "tacit"
            )
            if contract.chatel_applies and contract.notice_deadline:
                start, end = chatel_window(contract.notice_deadline)
            else:
                start = end = False
            contract.chatel_window_start = start
            contract.chatel_window_end = end

    def _on_renewed(self, renewals):
        """A new term needs a new reminder; the one that was missed leaves the
        contract terminable at any time."""
        res = super()._on_renewed(renewals)
        for contract in self:
            terminable = contract.chatel_applies and not contract.chatel_reminder_date
            if (
                contract.chatel_reminder_date
                or terminable != contract.chatel_terminable
            ):
                contract.write(
                    {"chatel_terminable": terminable, "chatel_reminder_date": False}
                )
        return res

    def _is_notice_late(self, notice_date):
        return super()._is_notice_late(notice_date) and not self.chatel_terminable

    @lifecycle_action
    def _register_notice(self, notice_date, notice_by, reason, override=False):
        result = super()._register_notice(
            notice_date, notice_by, reason, override=override
        )
        if self.chatel_terminable:
            self.message_post(
                body=self.env._(
                    "The renewal reminder was not sent in time (Loi Chatel): "
                    "the customer can end the contract at any time, free of "
                    "charge."
                )
            )
        return result

    @api.model
    def _get_chatel_domain(self, today):
        """Contracts whose reminder window has opened (or passed) and whose
        reminder is not sent; refined in Python with the exact window."""
        return [
            ("state", "=", "running"),
            ("renewal_type", "=", "tacit"),
            ("legal_category", "=", "consumer"),
            ("notice_date", "=", False),
            ("date_termination", "=", False),
            ("chatel_reminder_date", "=", False),
            (
                "notice_deadline",
                "<=",
                today + relativedelta(months=CHATEL_REMINDER_FIRST_MONTHS, day=31),
            ),
        ]

    @api.model
    def _cron_chatel_reminders(self, today=None):
        """Daily: send the renewal reminders whose window is open, once, and
        flag the contracts whose window closed without one, on the day of
        each company (its time zone).

        Contracts are locked with SKIP LOCKED and read again once locked, so
        two workers never send the same reminder twice. A contract that
        fails gets an activity; the others get their reminders.
        """
        summary = self.env._("Renewal reminder (Loi Chatel) failed")

        def send(contracts, day):
            contracts._send_chatel_reminders(day)
            return len(contracts)

        return sum(
            self._run_cron_batches(self._get_chatel_domain, send, summary, today)
        )

    def _get_letter_contract(self):
        return self

    @lifecycle_action
    def _send_chatel_reminders(self, today):
        """Email the reminders whose window is open. The reminder counts as
        sent only when an email was queued to an address; a consumer without
        email gets it by post: an activity asks the responsible to send the
        attached letter and to record the day it was sent."""
        in_window = self.filtered(
            lambda c: c.chatel_window_start <= today <= c.chatel_window_end
        )
        in_window._send_letters(
            lambda contracts: contracts._email_chatel_reminders(today),
            lambda contracts: contracts._schedule_chatel_letter(),
        )
        to_flag = self.filtered(
            lambda c: c.chatel_window_end < today and not c.chatel_terminable
        )
        to_flag.chatel_terminable = True

    def _email_chatel_reminders(self, today):
        """Email the reminders; returns the contracts whose reminder was
        queued to the recipient's address, marked sent ``today``."""
        # Queued, sent by the mail queue: never sent from a batch that is
        # rolled back.
        messages = self.message_post_with_source(
            "service_contract.mail_template_chatel_reminder",
            subtype_xmlid="mail.mt_comment",
            force_send=False,
        )
        # Queued to the customer's address (a failure of the mail server is
        # retried and shown on the message; a bad address is not).
        queued = (
            self.env["mail.notification"]
            .sudo()
            .search(
                [
                    ("mail_message_id", "in", messages.ids),
                    ("notification_type", "=", "email"),
                    ("notification_status", "not in", ("canceled", "bounce")),
                    (
                        "failure_type",
                        "not in",
                        ("mail_email_invalid", "mail_email_missing"),
                    ),
                ]
            )
        )
        sent = self.filtered(
            lambda c: queued.filtered(
                lambda n, c=c: n.mail_message_id.res_id == c.id
                and n.res_partner_id == c._get_letter_recipient()
            )
        )
        sent.chatel_reminder_date = today
        return sent

    def _schedule_chatel_letter(self):
        """One activity per contract asking the responsible to send the
        reminder by post, with the letter attached; never a second one."""
        summary = self.env._("Send the renewal reminder by post")
        activity_type = self.env.ref("mail.mail_activity_data_todo")
        for contract in self:
            if contract.activity_ids.filtered(
                lambda a, s=summary: a.summary == s
                and a.activity_type_id == activity_type
            ):
                continue
            contract._schedule_letter_by_post(
                contract._attach_chatel_letter(),
                summary,
                self.env._(
                    "%(customer)s has no email address: print the attached "
                    "letter, post it before %(deadline)s, then click "
                    '"Reminder Sent by Post" on the contract.',
                    customer=contract._get_letter_recipient().display_name,
                    deadline=format_date(self.env, contract.chatel_window_end),
                ),
                date_deadline=contract.chatel_window_end,
            )

    def _attach_chatel_letter(self):
        """The reminder as a letter (PDF), stored on the contract."""
        self.ensure_one()
        report = self.env.ref("service_contract.action_report_chatel_reminder")
        try:
            content, _type = (
                self.env["ir.actions.report"]
                .with_context(force_report_rendering=True)
                ._render_qweb_pdf(report, self.ids)
            )
            name = f"{self.name.replace('/', '-')}-reminder.pdf"
        except Exception:  # noqa: BLE001 - without PDF engine, the HTML letter
            _logger.warning("Reminder letter of %s not rendered to PDF", self.name)
            content = self._get_chatel_letter_body().encode()
            name = f"{self.name.replace('/', '-')}-reminder.html"
        return self.env["ir.attachment"].create(
            self._prepare_letter_file_vals(name, content)
        )

    def _get_chatel_letter_body(self):
        """The body of the reminder email, rendered for this contract."""
        self.ensure_one()
        template = self.env.ref("service_contract.mail_template_chatel_reminder")
        return template._render_field("body_html", self.ids, compute_lang=True)[self.id]

    @lifecycle_action
    def action_chatel_sent_by_post(self):
        """The reminder was posted today: record it and close the request."""
        for contract in self:
            today = contract.company_id._service_today()
            if not contract.chatel_applies or contract.state != "running":
                raise UserError(
                    self.env._(
                        "Contract %(name)s needs no renewal reminder.",
                        name=contract.name,
                    )
                )
            if contract.chatel_reminder_date:
                raise UserError(
                    self.env._(
                        "The renewal reminder of contract %(name)s was already "
                        "sent on %(date)s.",
                        name=contract.name,
                        date=format_date(self.env, contract.chatel_reminder_date),
                    )
                )
            if not (
                contract.chatel_window_start <= today <= contract.chatel_window_end
            ):
                raise UserError(
                    self.env._(
                        "The renewal reminder of contract %(name)s must be sent "
                        "between %(start)s and %(end)s.",
                        name=contract.name,
                        start=format_date(self.env, contract.chatel_window_start),
                        end=format_date(self.env, contract.chatel_window_end),
                    )
                )
        summary = self.env._("Send the renewal reminder by post")
        for contract in self:
            today = contract.company_id._service_today()
            contract.chatel_reminder_date = today
            contract.activity_ids.filtered(lambda a: a.summary == summary).action_done()
            contract.message_post(
                body=self.env._(
                    "Renewal reminder (Loi Chatel) sent by post on %(date)s.",
                    date=format_date(self.env, today),
                )
            )
        return True
