from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import TACIT_TERMS, ConcurrencyCase, ServiceContractCase

SUBJECT = "you may refuse its renewal until"


@tagged("post_install", "-at_install")
class TestChatelReminder(ServiceContractCase):
    """Start 2024-03-01, 2 years, notice 2 months: the term ends 2026-02-28,
    the notice deadline is 2025-12-28, the reminder window runs from
    2025-09-28 to 2025-11-28."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.legal_category = "consumer"
        cls.signatory.email = "anne.signer@example.com"

    def _reminders(self, contract):
        return contract.message_ids.filtered(lambda m: SUBJECT in (m.subject or ""))

    def _run(self, today):
        return self.env["service.contract"]._cron_chatel_reminders(today=today)

    def test_window(self):
        contract = self._create_running_contract()
        self.assertTrue(contract.chatel_applies)
        self.assertEqual(contract.notice_deadline, date(2025, 12, 28))
        self.assertEqual(
            (contract.chatel_window_start, contract.chatel_window_end),
            (date(2025, 9, 28), date(2025, 11, 28)),
        )

    def test_reminder_sent_once_in_the_window(self):
        contract = self._create_running_contract()
        self._run(date(2025, 9, 27))
        self.assertFalse(self._reminders(contract))
        self.assertFalse(contract.chatel_reminder_date)
        self._run(date(2025, 9, 28))
        reminder = self._reminders(contract)
        self.assertEqual(len(reminder), 1)
        self.assertEqual(contract.chatel_reminder_date, date(2025, 9, 28))
        self.assertEqual(reminder.partner_ids, self.signatory)
        self.assertIn("12/28/2025", reminder.subject)
        self.assertIn("12/28/2025", reminder.body)
        self.assertIn("L215-1", reminder.body)
        self.assertTrue(
            self.env["mail.mail"].search([("mail_message_id", "=", reminder.id)])
        )
        # Every later run, in the window or after it, sends nothing more.
        self._run(date(2025, 10, 15))
        self._run(date(2025, 12, 1))
        self.assertEqual(len(self._reminders(contract)), 1)
        self.assertFalse(contract.chatel_terminable)

    def test_last_day_of_the_window(self):
        contract = self._create_running_contract()
        self._run(date(2025, 11, 28))
        self.assertEqual(len(self._reminders(contract)), 1)

    def test_missed_window_makes_contract_terminable(self):
        contract = self._create_running_contract()
        self._run(date(2025, 11, 29))
        self.assertFalse(self._reminders(contract))
        self.assertFalse(contract.chatel_reminder_date)
        self.assertTrue(contract.chatel_terminable)
        # A late notice is then accepted without a manager.
        wizard = (
            self.env["service.contract.notice"]
            .with_context(default_contract_id=contract.id)
            .create({"notice_date": date(2026, 1, 5), "reason": "Moving out"})
        )
        wizard.action_confirm()
        self.assertEqual(contract.notice_date, date(2026, 1, 5))
        self.assertIn("Loi Chatel", "".join(self._messages(contract)))

    def test_renewal_needs_a_new_reminder(self):
        contract = self._create_running_contract()
        self._run(date(2025, 10, 1))
        self.env["service.contract"]._cron_process_terms(today=date(2026, 3, 1))
        self.assertEqual(contract.date_end, date(2027, 2, 28))
        self.assertFalse(contract.chatel_reminder_date)
        self.assertFalse(contract.chatel_terminable)
        self.assertEqual(contract.notice_deadline, date(2026, 12, 28))
        self.assertEqual(
            (contract.chatel_window_start, contract.chatel_window_end),
            (date(2026, 9, 28), date(2026, 11, 28)),
        )
        self._run(date(2026, 9, 28))
        self.assertEqual(len(self._reminders(contract)), 2)
        self.assertEqual(contract.chatel_reminder_date, date(2026, 9, 28))

    def test_renewal_without_reminder_stays_terminable(self):
        contract = self._create_running_contract()
        self.env["service.contract"]._cron_process_terms(today=date(2026, 3, 1))
        self.assertTrue(contract.chatel_terminable)
        self._run(date(2026, 10, 1))
        self.assertTrue(contract.chatel_terminable)
        # Once the next term starts after a reminder sent in time, the
        # ordinary rules apply again.
        self.env["service.contract"]._cron_process_terms(today=date(2027, 3, 1))
        self.assertFalse(contract.chatel_terminable)

    def _letter_activity(self, contract):
        return contract.activity_ids.filtered(
            lambda a: a.summary == "Send the renewal reminder by post"
        )

    def test_consumer_without_email_gets_a_letter(self):
        """No email address: no email, the reminder is not marked as sent; one
        activity asks the responsible to post the attached letter."""
        self.signatory.email = False
        contract = self._create_running_contract()
        self._run(date(2025, 9, 28))
        self.assertFalse(self._reminders(contract))
        self.assertFalse(contract.chatel_reminder_date)
        activity = self._letter_activity(contract)
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, contract.user_id)
        self.assertEqual(activity.date_deadline, date(2025, 11, 28))
        self.assertEqual(len(activity.attachment_ids), 1)
        letter = activity.attachment_ids
        self.assertEqual(letter.res_id, contract.id)
        self.assertIn(letter.mimetype, ("application/pdf", "text/html"))
        self.assertTrue(letter.raw)
        body = contract._get_chatel_letter_body()
        self.assertIn("12/28/2025", body)
        self.assertIn("L215-1", body)
        # The next runs neither email nor ask again.
        self._run(date(2025, 10, 15))
        self.assertEqual(len(self._letter_activity(contract)), 1)
        self.assertFalse(self._reminders(contract))
        # The letter is posted: the responsible records it.
        with freeze_time("2025-10-16 10:00:00"):
            contract.action_chatel_sent_by_post()
        self.assertEqual(contract.chatel_reminder_date, date(2025, 10, 16))
        self.assertFalse(self._letter_activity(contract))
        self.assertIn("sent by post", "".join(self._messages(contract)))
        self._run(date(2025, 12, 1))
        self.assertFalse(contract.chatel_terminable)
        with freeze_time("2025-10-17 10:00:00"):
            self.assertRefused(
                UserError, "already sent", contract.action_chatel_sent_by_post
            )

    def test_letter_never_posted_makes_contract_terminable(self):
        self.signatory.email = "not an address"
        contract = self._create_running_contract()
        self._run(date(2025, 10, 1))
        self.assertFalse(self._reminders(contract))
        self.assertEqual(len(self._letter_activity(contract)), 1)
        self._run(date(2025, 11, 29))
        self.assertFalse(contract.chatel_reminder_date)
        self.assertTrue(contract.chatel_terminable)
        with freeze_time("2025-11-30 10:00:00"):
            self.assertRefused(
                UserError, "must be sent between", contract.action_chatel_sent_by_post
            )

    def test_sent_by_post_only_in_the_window(self):
        contract = self._create_running_contract()
        with freeze_time("2025-09-01 10:00:00"):
            self.assertRefused(
                UserError, "must be sent between", contract.action_chatel_sent_by_post
            )
        professional = self._create_running_contract(
            partner_id=self.env["res.partner"]
            .create({"name": "Syndic", "is_company": True})
            .id
        )
        self.assertRefused(
            UserError,
            "needs no renewal reminder",
            professional.action_chatel_sent_by_post,
        )
        self.assertFalse(contract.chatel_reminder_date)

    def test_not_for_professionals_express_renewals_or_notices(self):
        professional = self.env["res.partner"].create(
            {"name": "Syndic Lac", "is_company": True}
        )
        contracts = self._create_running_contract(partner_id=professional.id)
        contracts |= self._create_running_contract(
            renewal_type="express", renewal_duration=1, renewal_unit="year"
        )
        noticed = self._create_running_contract()
        noticed._register_notice(date(2025, 9, 1), "customer", "Moving out")
        contracts |= noticed
        self.assertFalse(contracts[0].chatel_applies)
        self.assertFalse(contracts[1].chatel_applies)
        self._run(date(2025, 10, 1))
        self._run(date(2025, 12, 1))
        for contract in contracts:
            self.assertFalse(self._reminders(contract))
            self.assertFalse(contract.chatel_terminable)


@tagged("post_install", "-at_install")
class TestConcurrentChatelReminders(ConcurrencyCase):
    """Two workers send the reminders of the same contracts at the same
    time, each in its own transaction: each reminder is sent once. (One
    consumer per contract, as usual: mailing a customer writes its partner
    record, which two workers cannot both do in one instant.)"""

    batch_size_key = "service_contract.cron_batch_size"

    def _create_data(self, env):
        partners = env["res.partner"].create(
            [
                {"name": f"Concurrent consumer {i}", "email": f"c{i}@example.com"}
                for i in range(5)
            ]
        )
        contracts = env["service.contract"].create(
            [
                {
                    "partner_id": partner.id,
                    "date_start": date(2024, 3, 1),
                    **TACIT_TERMS,
                    "line_ids": [Command.create({"name": "Service", "price_unit": 1})],
                }
                for partner in partners
            ]
        )
        contracts.action_sign()
        return {"service.contract": contracts.ids, "res.partner": partners.ids}

    def _remove_contract_data(self, contracts):
        contracts.message_ids.unlink()

    @mute_logger("odoo.sql_db")
    def test_each_reminder_sent_once(self):
        results = self._run_cron_twice(
            lambda env: env["service.contract"]._cron_chatel_reminders(
                today=date(2025, 10, 1)
            )
        )
        self.assertEqual(sum(results), 5)
        with self.registry.cursor() as cr:
            contracts = self._env(cr)["service.contract"].browse(
                self.record_ids["service.contract"]
            )
            for contract in contracts:
                reminders = contract.message_ids.filtered(
                    lambda m: SUBJECT in (m.subject or "")
                )
                self.assertEqual(len(reminders), 1)
                self.assertEqual(contract.chatel_reminder_date, date(2025, 10, 1))
