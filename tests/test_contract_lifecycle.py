from datetime import date, timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools.misc import format_date

from ..models.service_lifecycle_guard import lifecycle_write
from .common import ServiceContractCase


@tagged("post_install", "-at_install")
class TestLifecycle(ServiceContractCase):
    def _flush_tracking(self):
        self.env.flush_all()
        self.env.cr.precommit.run()

    def _notice(self, contract, notice_date, override=False, user=None):
        env = user and self.env(user=user) or self.env
        wizard = (
            env["service.contract.notice"]
            .with_context(default_contract_id=contract.id)
            .create(
                {
                    "notice_date": notice_date,
                    "reason": "Moving out",
                    "override_deadline": override,
                }
            )
        )
        return wizard.action_confirm()

    def _terminate(self, contract, effective_date, kind="cause"):
        wizard = (
            self.env["service.contract.terminate"]
            .with_context(default_contract_id=contract.id)
            .create(
                {
                    "date": effective_date,
                    "termination_type": kind,
                    "reason": "Unpaid invoices",
                }
            )
        )
        return wizard.action_confirm()

    # ------------------------------------------------------------------
    # Dates of the term
    # ------------------------------------------------------------------

    def test_term_end_and_notice_deadline_two_years_from_march_first(self):
        contract = self._create_contract()
        self.assertEqual(contract.date_end, date(2026, 2, 28))
        self.assertEqual(contract.notice_deadline, date(2025, 12, 28))

    def test_term_end_follows_start_and_terms(self):
        contract = self._create_contract(date_start=date(2025, 1, 31))
        contract.write(
            {
                "duration": 1,
                "duration_unit": "month",
                "notice_period": 10,
                "notice_unit": "day",
            }
        )
        self.assertEqual(contract.date_end, date(2025, 2, 28))
        self.assertEqual(contract.notice_deadline, date(2025, 2, 18))
        contract.date_start = date(2024, 2, 29)
        contract.write({"duration": 1, "duration_unit": "year"})
        self.assertEqual(contract.date_end, date(2025, 2, 28))
        contract.write({"notice_period": 3, "notice_unit": "month"})
        self.assertEqual(contract.notice_deadline, date(2024, 11, 28))

    # ------------------------------------------------------------------
    # Transitions
    # ------------------------------------------------------------------

    def test_sign_flow_is_logged(self):
        contract = self._create_contract()
        self.assertEqual(contract.state, "draft")
        self.assertTrue(contract.name.startswith("SC/"))
        self._flush_tracking()
        contract.action_to_sign()
        self.assertEqual(contract.state, "to_sign")
        self._flush_tracking()
        contract.invalidate_recordset()
        contract.action_sign()
        self.assertEqual(contract.state, "running")
        self.assertEqual(contract.date_signed, contract.company_id._service_today())
        self._flush_tracking()
        contract.invalidate_recordset()
        tracked = contract.message_ids.tracking_value_ids.filtered(
            lambda t: t.field_id.name == "state"
        )
        self.assertEqual(
            sorted(tracked.mapped("new_value_char")), ["Running", "To Sign"]
        )

    def test_sign_keeps_given_signature_date(self):
        contract = self._create_contract(date_signed=date(2024, 2, 20))
        contract.action_sign()
        self.assertEqual(contract.date_signed, date(2024, 2, 20))

    def test_number_follows_the_year_the_contract_was_made(self):
        """Numbered by the year of its creation; a contract entered after
        the fact (signed on paper in 2024, imported) by the year of its
        signature or start, whichever is first: SC/2024/..., not the year it
        is entered. A start to come does not number it in the future."""
        today = self.company._service_today()
        signed = self._create_contract(
            date_start=date(2024, 4, 8), date_signed=date(2023, 11, 20)
        )
        self.assertTrue(signed.name.startswith("SC/2023/"), signed.name)
        started = self._create_contract(date_start=date(2024, 4, 8))
        self.assertTrue(started.name.startswith("SC/2024/"), started.name)
        future = self._create_contract(date_start=today + timedelta(days=400))
        self.assertTrue(future.name.startswith(f"SC/{today.year}/"), future.name)

    def test_document_is_dated_the_day_it_was_made(self):
        """The document states the day it is issued; the document of a
        contract signed on paper in 2024 and entered now is dated the
        signature day, not the day it is rendered (it reads "Signed on
        06/01/2024" and "Made on 06/01/2024", never 2026)."""
        today = self.company._service_today()
        sent = self._create_contract(date_start=today)
        self.assertEqual(sent._document_date(), today)
        sent.action_to_sign()
        self.assertIn(format_date(self.env, today), sent.doc_today)
        paper = self._create_contract(
            date_start=date(2024, 1, 8), date_signed=date(2024, 1, 6)
        )
        paper.action_to_sign()
        paper.action_sign()
        self.assertEqual(paper.date_signed, date(2024, 1, 6))
        self.assertEqual(paper.doc_today, format_date(self.env, date(2024, 1, 6)))

    def test_signing_a_cancelled_contract_is_refused(self):
        contract = self._create_contract()
        contract.action_cancel()
        with self.assertRaisesRegex(UserError, "can be signed"):
            contract.action_sign()
        self.assertEqual(contract.state, "cancel")
        self.assertFalse(contract.date_signed)

    def test_signing_without_services_or_start_is_refused(self):
        contract = self._create_contract(template_id=False, date_start=False)
        with self.assertRaisesRegex(UserError, "Add at least one service"):
            contract.action_sign()
        contract.line_ids = [(0, 0, {"name": "Cleaning", "price_unit": 10})]
        with self.assertRaisesRegex(UserError, "start date"):
            contract.action_to_sign()
        self.assertEqual(contract.state, "draft")

    def test_cancel_and_back_to_draft(self):
        contract = self._create_contract()
        contract.action_to_sign()
        contract.action_cancel()
        self.assertEqual(contract.state, "cancel")
        contract.action_draft()
        self.assertEqual(contract.state, "draft")
        with self.assertRaisesRegex(UserError, "back to draft"):
            contract.action_draft()

    def test_running_contract_cannot_be_cancelled_drafted_or_deleted(self):
        contract = self._create_running_contract()
        with self.assertRaisesRegex(UserError, "terminate running contracts"):
            contract.action_cancel()
        with self.assertRaises(UserError):
            contract.action_draft()
        with self.assertRaises(UserError):
            contract.unlink()
        self.assertEqual(contract.state, "running")

    def test_draft_contract_can_be_deleted(self):
        contract = self._create_contract()
        contract.unlink()
        self.assertFalse(contract.exists())

    # ------------------------------------------------------------------
    # Tacit renewal by the scheduled action
    # ------------------------------------------------------------------

    def test_cron_renews_tacit_contract_at_term(self):
        contract = self._create_running_contract()
        Contract = self.env["service.contract"]
        Contract._cron_process_terms(today=date(2026, 2, 28))
        self.assertEqual(contract.renewal_count, 0)
        Contract._cron_process_terms(today=date(2026, 3, 1))
        self.assertEqual(contract.state, "running")
        self.assertEqual(contract.renewal_count, 1)
        self.assertEqual(contract.date_term_start, date(2026, 3, 1))
        self.assertEqual(contract.date_end, date(2027, 2, 28))
        self.assertEqual(contract.notice_deadline, date(2026, 12, 28))
        self.assertIn("renewed until 2027-02-28", "".join(self._messages(contract)))

    def test_cron_catches_up_every_missed_term(self):
        """A contract started in 2019 covers today after one run."""
        self.template.write({"duration": 1, "notice_period": 1})
        contract = self._create_running_contract(date_start=date(2019, 1, 1))
        self.assertEqual(contract.date_end, date(2019, 12, 31))
        today = fields.Date.context_today(contract)
        self.env["service.contract"]._cron_process_terms()
        self.assertEqual(contract.date_end, date(today.year, 12, 31))
        self.assertEqual(contract.date_term_start, date(today.year, 1, 1))
        self.assertEqual(contract.renewal_count, today.year - 2019)
        self.assertEqual(contract.state, "running")
        # A second run changes nothing.
        messages = contract.message_ids
        self.env["service.contract"]._cron_process_terms()
        self.assertEqual(contract.renewal_count, today.year - 2019)
        self.assertEqual(contract.date_end, date(today.year, 12, 31))
        self.assertEqual(contract.message_ids, messages)

    def test_cron_catch_up_monthly_from_month_end(self):
        contract = self._create_contract(date_start=date(2025, 1, 31))
        contract.write(
            {
                "duration": 1,
                "duration_unit": "month",
                "renewal_duration": 1,
                "renewal_unit": "month",
                "notice_period": 0,
            }
        )
        contract.action_sign()
        self.assertEqual(contract.date_end, date(2025, 2, 28))
        self.env["service.contract"]._cron_process_terms(today=date(2025, 4, 5))
        # 2025-03-01..03-31, then 2025-04-01..04-30
        self.assertEqual(contract.renewal_count, 2)
        self.assertEqual(contract.date_term_start, date(2025, 4, 1))
        self.assertEqual(contract.date_end, date(2025, 4, 30))

    def test_cron_closes_contract_without_renewal(self):
        contract = self._create_running_contract(renewal_type="none")
        self.env["service.contract"]._cron_process_terms(today=date(2026, 3, 1))
        self.assertEqual(contract.state, "closed")
        self.assertEqual(contract.close_reason, "expired")
        self.assertEqual(contract.date_closed, date(2026, 2, 28))

    def test_cron_closes_express_contract_not_renewed(self):
        contract = self._create_running_contract(renewal_type="express")
        self.env["service.contract"]._cron_process_terms(today=date(2026, 3, 1))
        self.assertEqual(contract.state, "closed")
        self.assertEqual(contract.close_reason, "expired")

    def test_cron_ignores_contracts_not_running(self):
        draft = self._create_contract(date_start=date(2019, 1, 1))
        self.env["service.contract"]._cron_process_terms(today=date(2026, 3, 1))
        self.assertEqual(draft.state, "draft")
        self.assertEqual(draft.renewal_count, 0)

    # ------------------------------------------------------------------
    # Express renewal
    # ------------------------------------------------------------------

    def test_express_renewal(self):
        today = fields.Date.context_today(self.env["service.contract"])
        contract = self._create_running_contract(
            renewal_type="express", date_start=today
        )
        end = contract.date_end
        contract.action_renew()
        self.assertEqual(contract.renewal_count, 1)
        self.assertEqual(contract.date_term_start, end + timedelta(days=1))
        self.assertGreater(contract.date_end, end)
        self.assertIn("renewed until", "".join(self._messages(contract)))
        with self.assertRaisesRegex(UserError, "already renewed"):
            contract.action_renew()
        self.assertEqual(contract.renewal_count, 1)

    def test_renew_refused_for_tacit_or_noticed_contracts(self):
        tacit = self._create_running_contract()
        with self.assertRaisesRegex(UserError, "not renewed expressly"):
            tacit.action_renew()
        express = self._create_running_contract(renewal_type="express")
        self._notice(express, date(2025, 12, 1))
        with self.assertRaisesRegex(UserError, "received notice"):
            express.action_renew()
        draft = self._create_contract(renewal_type="express")
        with self.assertRaisesRegex(UserError, "Only running contracts"):
            draft.action_renew()
        self.assertEqual(express.renewal_count + draft.renewal_count, 0)

    # ------------------------------------------------------------------
    # Notice (dénonciation)
    # ------------------------------------------------------------------

    def test_notice_before_deadline_closes_at_term_end(self):
        contract = self._create_running_contract()
        self._notice(contract, date(2025, 12, 28))
        self.assertEqual(contract.notice_date, date(2025, 12, 28))
        self.assertEqual(contract.notice_by, "customer")
        self.assertEqual(contract.date_effective_end, date(2026, 2, 28))
        self.assertIn(
            "Notice received on 2025-12-28", "".join(self._messages(contract))
        )
        Contract = self.env["service.contract"]
        Contract._cron_process_terms(today=date(2026, 2, 28))
        self.assertEqual(contract.state, "running")
        Contract._cron_process_terms(today=date(2026, 3, 1))
        self.assertEqual(contract.state, "closed")
        self.assertEqual(contract.close_reason, "notice")
        self.assertEqual(contract.date_closed, date(2026, 2, 28))
        self.assertEqual(contract.renewal_count, 0)

    def test_notice_after_deadline_is_refused(self):
        contract = self._create_running_contract()
        with self.assertRaisesRegex(UserError, "after the notice deadline"):
            self._notice(contract, date(2025, 12, 29))
        self.assertFalse(contract.notice_date)

    def test_late_notice_needs_a_manager(self):
        contract = self._create_running_contract()
        user = new_test_user(
            self.env,
            login="sc_user_notice",
            groups="base.group_user,service_contract.group_service_contract_user",
        )
        with self.assertRaises(AccessError):
            self._notice(contract.with_user(user), date(2026, 1, 5), True, user)
        self.assertFalse(contract.notice_date)
        manager = new_test_user(
            self.env,
            login="sc_manager_notice",
            groups="base.group_user,service_contract.group_service_contract_manager",
        )
        self._notice(contract, date(2026, 1, 5), override=True, user=manager)
        self.assertEqual(contract.notice_date, date(2026, 1, 5))
        body = "".join(self._messages(contract))
        self.assertIn("Accepted after the notice deadline (2025-12-28)", body)
        self.assertIn(manager.name, body)

    def test_notice_twice_or_on_draft_is_refused(self):
        contract = self._create_running_contract()
        self._notice(contract, date(2025, 6, 1))
        with self.assertRaisesRegex(UserError, "already received"):
            self._notice(contract, date(2025, 7, 1))
        self.assertEqual(contract.notice_date, date(2025, 6, 1))
        draft = self._create_contract()
        with self.assertRaisesRegex(UserError, "running contracts"):
            self._notice(draft, date(2025, 6, 1))

    def test_withdraw_notice(self):
        contract = self._create_running_contract()
        self._notice(contract, date(2025, 6, 1))
        contract.action_withdraw_notice()
        self.assertFalse(contract.notice_date)
        self.env["service.contract"]._cron_process_terms(today=date(2026, 3, 1))
        self.assertEqual(contract.renewal_count, 1)

    # ------------------------------------------------------------------
    # Termination (résiliation)
    # ------------------------------------------------------------------

    def test_terminate_today_closes_tomorrow(self):
        today = fields.Date.context_today(self.env["service.contract"])
        contract = self._create_running_contract(date_start=today - timedelta(days=30))
        self._terminate(contract, today)
        self.assertEqual(contract.state, "running")
        self.assertEqual(contract.date_effective_end, today)
        self.env["service.contract"]._cron_process_terms(
            today=today + timedelta(days=1)
        )
        self.assertEqual(contract.state, "closed")
        self.assertEqual(contract.date_closed, today)

    def test_terminate_in_the_past_closes_the_contract(self):
        contract = self._create_running_contract()
        self._terminate(contract, date(2025, 6, 30), "agreement")
        self.assertEqual(contract.state, "closed")
        self.assertEqual(contract.close_reason, "terminated")
        self.assertEqual(contract.termination_type, "agreement")
        self.assertEqual(contract.date_closed, date(2025, 6, 30))
        self.assertEqual(contract.date_effective_end, date(2025, 6, 30))
        body = "".join(self._messages(contract))
        self.assertIn("Contract terminated (By mutual agreement)", body)
        self.assertIn("Unpaid invoices", body)

    def test_terminate_in_the_future_closes_on_the_date(self):
        today = fields.Date.context_today(self.env["service.contract"])
        contract = self._create_running_contract(date_start=today)
        effective = today + timedelta(days=40)
        self._terminate(contract, effective)
        self.assertEqual(contract.state, "running")
        self.assertEqual(contract.date_termination, effective)
        Contract = self.env["service.contract"]
        Contract._cron_process_terms(today=effective)
        self.assertEqual(contract.state, "running")
        Contract._cron_process_terms(today=effective + timedelta(days=1))
        self.assertEqual(contract.state, "closed")
        self.assertEqual(contract.date_closed, effective)

    def test_terminate_refuses_bad_dates_and_states(self):
        contract = self._create_running_contract()
        with self.assertRaisesRegex(UserError, "before the start"):
            self._terminate(contract, date(2024, 2, 29))
        with self.assertRaisesRegex(UserError, "register a notice instead"):
            self._terminate(contract, date(2026, 3, 1))
        self.assertEqual(contract.state, "running")
        self.assertFalse(contract.date_termination)
        draft = self._create_contract()
        with self.assertRaisesRegex(
            UserError, "Only running contracts can be terminated"
        ):
            self._terminate(draft, date(2025, 1, 1))
        self.assertEqual(draft.state, "draft")

    def test_termination_end_before_start_is_a_validation_error(self):
        contract = self._create_running_contract()
        # Only the contract's own methods write the termination date.
        with lifecycle_write():
            self.assertRefused(
                ValidationError,
                "cannot be before its start",
                contract.write,
                {"date_termination": date(2024, 1, 1)},
            )
        self.assertFalse(contract.date_termination)

    # ------------------------------------------------------------------
    # Terms validation
    # ------------------------------------------------------------------

    def test_invalid_terms_are_refused(self):
        contract = self._create_contract()
        for values, message in [
            ({"duration": 0}, "firm term"),
            ({"duration": -1}, "firm term"),
            ({"renewal_type": "tacit", "renewal_duration": 0}, "renewal period"),
            ({"renewal_type": "express", "renewal_duration": -2}, "renewal period"),
            ({"notice_period": -1}, "notice period cannot be negative"),
            (
                {"notice_period": 30, "notice_unit": "month"},
                "longer than the firm term",
            ),
        ]:
            with self.subTest(values=values):
                self.assertRefused(ValidationError, message, contract.write, values)
        self.assertEqual(contract.duration, 2)
        self.assertEqual(contract.renewal_duration, 1)

    def test_no_renewal_needs_no_renewal_period(self):
        contract = self._create_contract(renewal_type="none", renewal_duration=0)
        self.assertEqual(contract.renewal_type, "none")

    def test_form_choosing_template_fills_terms_and_services(self):
        form = Form(self.env["service.contract"])
        form.partner_id = self.customer
        self.assertEqual(form.signatory_id, self.signatory)
        form.template_id = self.template
        self.assertEqual(form.duration, 2)
        self.assertEqual(form.notice_period, 2)
        self.assertEqual(len(form.line_ids), 2)
        form.date_start = date(2024, 3, 1)
        self.assertEqual(form.date_end, date(2026, 2, 28))
        self.assertEqual(form.notice_deadline, date(2025, 12, 28))
        contract = form.save()
        self.assertEqual(len(contract.line_ids), 2)
        self.assertEqual(contract.title, "Boiler maintenance")
