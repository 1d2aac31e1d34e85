from dateutil.relativedelta import relativedelta

from odoo import api, fields, models

from .date_utils import chatel_window


class ServiceContract(models.Model):
    """Loi Chatel (Code de la consommation, L215-1): a consumer with a tacit
    renewal is reminded, from 3 months to 1 month before the notice deadline,
    of the right not to renew; without that reminder, the consumer can end the
    contract at any time from the renewal."""

    _inherit = "service.contract"

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

    def _renew(self, term_start, count=1):
        """A new term needs a new reminder; the one that was missed leaves the
        contract terminable at any time."""
        for contract in self:
            terminable = contract.chatel_applies and not contract.chatel_reminder_date
            if (
                contract.chatel_reminder_date
                or terminable != contract.chatel_terminable
            ):
                contract.write(
                    {"chatel_terminable": terminable, "chatel_reminder_date": False}
                )
        return super()._renew(term_start, count)

    def _is_notice_late(self, notice_date):
        return super()._is_notice_late(notice_date) and not self.chatel_terminable

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
            ("notice_deadline", "<=", today + relativedelta(months=3, day=31)),
        ]

    @api.model
    def _cron_chatel_reminders(self, today=None):
        """Daily: send the renewal reminders whose window is open, once, and
        flag the contracts whose window closed without one.

        Contracts are locked with SKIP LOCKED and read again once locked, so
        two workers never send the same reminder twice.
        """
        today = today or fields.Date.context_today(self)
        batch_size = int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("service_contract.cron_batch_size", 500)
        )
        contracts = self.search(self._get_chatel_domain(today), order="id")
        done = 0
        for index in range(0, len(contracts), batch_size):
            batch = contracts[index : index + batch_size]._lock_skip_locked()
            batch.invalidate_recordset()
            batch = batch.filtered_domain(self._get_chatel_domain(today))
            batch._send_chatel_reminders(today)
            done += len(batch)
            self.env["ir.cron"]._notify_progress(
                done=done, remaining=max(len(contracts) - index - batch_size, 0)
            )
            self._commit_batch()
        return done

    def _send_chatel_reminders(self, today):
        to_remind = self.filtered(
            lambda c: c.chatel_window_start <= today <= c.chatel_window_end
        )
        if to_remind:
            to_remind.message_post_with_source(
                "service_contract.mail_template_chatel_reminder",
                subtype_xmlid="mail.mt_comment",
            )
            to_remind.chatel_reminder_date = today
        to_flag = self.filtered(
            lambda c: c.chatel_window_end < today and not c.chatel_terminable
        )
        to_flag.chatel_terminable = True
