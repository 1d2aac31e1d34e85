import math
from datetime import date, datetime, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.service_contract.models.service_lifecycle_guard import (
    lifecycle_write,
)

from .common import InvoicingCase

TODAY = date(2026, 6, 15)


class HealthCase(InvoicingCase):
    """Running contracts of a company whose health thresholds are: invoices
    overdue by more than 30 days (at risk), visits not done 15 days after
    their window (watch), margin below 10 % over 12 months (watch)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.write(
            {
                "service_health_overdue_days": 30,
                "service_health_late_visit_days": 15,
                "service_health_margin_min": 10.0,
            }
        )
        cls.contract = cls._contract()

    def _health(self, contract, today=TODAY):
        contract._update_health(today)
        return contract.health

    def _post_invoice(self, contract, due, amount=1000.0):
        with lifecycle_write():  # test data: an invoice of the contract
            move = self._create_invoice(contract, due, amount)
        move.action_post()
        self.assertEqual(move.invoice_date_due, due)
        return move

    def _create_invoice(self, contract, due, amount):
        return self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.customer.id,
                "invoice_date": due,
                "invoice_date_due": due,
                "invoice_payment_term_id": False,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": self.product.id,
                            "price_unit": amount,
                            "tax_ids": [Command.clear()],
                            "service_contract_id": contract.id,
                        }
                    )
                ],
            }
        )

    def _visit(self, contract, window_end, **values):
        return self.env["service.intervention"].create(
            {
                "contract_id": contract.id,
                "date_due": window_end - timedelta(days=7),
                "date_window_start": window_end - timedelta(days=14),
                "date_window_end": window_end,
                **values,
            }
        )


@tagged("post_install", "-at_install")
class TestHealthRules(HealthCase):
    def test_running_contract_is_good(self):
        self.assertEqual(self._health(self.contract), "good")
        self.assertFalse(self.contract.health_reasons)
        self.assertTrue(self.contract.health_date)

    def test_overdue_invoice_beyond_threshold_is_at_risk(self):
        other = self._contract()
        # Due 30 days ago: not beyond 30 days yet.
        self._post_invoice(self.contract, TODAY - timedelta(days=30))
        # Due 31 days ago: beyond.
        self._post_invoice(other, TODAY - timedelta(days=31))
        self.assertEqual(self._health(self.contract), "good")
        self.assertEqual(self._health(other), "at_risk")
        self.assertEqual(
            other.health_reasons,
            "At Risk: 1 invoice overdue by more than 30 days (due on 05/15/2026).",
        )
        # A day later, the first one is beyond too.
        self.assertEqual(self._health(self.contract, TODAY + timedelta(1)), "at_risk")

    def test_paid_invoice_is_not_overdue(self):
        move = self._post_invoice(self.contract, TODAY - timedelta(days=60))
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=move.ids
        ).create({"payment_date": TODAY})._create_payments()
        self.assertEqual(self._health(self.contract), "good")

    def test_late_visit_beyond_threshold_is_watch(self):
        other = self._contract()
        # Window ended 15 days ago: not beyond 15 days yet.
        self._visit(self.contract, TODAY - timedelta(days=15))
        # Ended 16 days ago: beyond, unless the visit is done or cancelled.
        self._visit(other, TODAY - timedelta(days=16))
        self._visit(other, TODAY - timedelta(days=40)).action_cancel()
        self.assertEqual(self._health(self.contract), "good")
        self.assertEqual(self._health(other), "watch")
        self.assertEqual(
            other.health_reasons,
            "Watch: 1 visit still not done 15 days after its window "
            "(ended on 05/30/2026).",
        )

    def test_done_visit_is_not_late(self):
        visit = self._visit(self.contract, TODAY - timedelta(days=16))
        visit.action_done()
        self.assertEqual(self._health(self.contract), "good")

    def test_margin_below_minimum_over_12_months_is_watch(self):
        """Invoiced 1,000.00 in the last 12 months (and 5,000.00 a year and a
        day before, not counted); visits done at 100.00 an hour: 9 hours give
        a margin of exactly 10 %, the minimum."""
        self.company.write(
            {
                "service_hourly_cost": 100.0,
                "service_travel_cost": 0.0,
                "service_health_overdue_days": 400,
            }
        )
        for hours, health in ((8.99, "good"), (9.0, "good"), (9.01, "watch")):
            with self.subTest(hours=hours):
                contract = self._contract()
                self._post_invoice(contract, TODAY - timedelta(days=10))
                self._post_invoice(contract, TODAY - timedelta(days=365), 5000.0)
                visit = self._visit(
                    contract, TODAY + timedelta(days=10), duration_actual=hours
                )
                with freeze_time(TODAY):
                    visit.action_done()
                self.assertAlmostEqual(visit.cost_total, hours * 100)
                self.assertEqual(self._health(contract), health)
        self.assertEqual(
            contract.health_reasons,
            "Watch: Margin over the last 12 months of 9.9%, below 10.0%.",
        )

    def test_costs_without_revenue_is_watch(self):
        self.company.service_hourly_cost = 50.0
        visit = self._visit(
            self.contract, TODAY + timedelta(days=10), duration_actual=1.0
        )
        self.assertEqual(self._health(self.contract), "good")
        with freeze_time(TODAY - timedelta(days=3)):
            visit.action_done()
        self.assertEqual(self._health(self.contract), "watch")
        self.assertEqual(
            self.contract.health_reasons,
            "Watch: Costs over the last 12 months with nothing invoiced "
            "(minimum margin 10.0%).",
        )
        # A year later, the visit is out of the 12 months.
        self.assertEqual(
            self._health(self.contract, TODAY + timedelta(days=365)), "good"
        )

    def test_margin_counts_visits_on_the_company_day(self):
        """The 12 months are the company's days, as in the profitability
        report: in Paris (UTC+2 in June), a visit done at 23:30 UTC on
        15 June 2025 is done on 16 June, the first day of the 12 months
        ending on 15 June 2026; one done at 22:30 UTC on 15 June 2026 is
        done on 16 June, after them."""
        self.company.partner_id.tz = "Europe/Paris"
        self.company.service_hourly_cost = 50.0
        first, after = self.contract, self._contract()
        for contract, done in (
            (first, datetime(2025, 6, 15, 23, 30)),
            (after, datetime(2026, 6, 15, 22, 30)),
        ):
            visit = self._visit(contract, TODAY + timedelta(days=10))
            visit.duration_actual = 1.0
            with freeze_time(done):
                visit.action_done()
        self.assertEqual(self._health(first), "watch")
        self.assertEqual(self._health(after), "good")

    def test_notice_from_the_customer_is_at_risk(self):
        by_company = self._contract()
        with freeze_time(TODAY):
            self.contract._register_notice(TODAY, "customer", "Too expensive")
            by_company._register_notice(TODAY, "company", "We stop lifts")
        self.assertEqual(self._health(self.contract), "at_risk")
        self.assertEqual(
            self.contract.health_reasons,
            "At Risk: Notice received from the customer on 06/15/2026: the "
            "contract ends on 01/14/2027.",
        )
        # The company's own decision is no risk.
        self.assertEqual(self._health(by_company), "good")

    def test_chatel_terminable_is_watch(self):
        with lifecycle_write():
            self.contract.chatel_terminable = True
        self.assertEqual(self._health(self.contract), "watch")
        self.assertEqual(
            self.contract.health_reasons,
            "Watch: Terminable at any time: the renewal reminder was not sent "
            "in time (Loi Chatel).",
        )

    def test_worst_rule_sets_the_health_and_every_reason_is_listed(self):
        with lifecycle_write():
            self.contract.chatel_terminable = True
        self._visit(self.contract, TODAY - timedelta(days=20))
        self._post_invoice(self.contract, TODAY - timedelta(days=45))
        self._post_invoice(self.contract, TODAY - timedelta(days=35))
        self.assertEqual(self._health(self.contract), "at_risk")
        self.assertEqual(
            self.contract.health_reasons.splitlines(),
            [
                "At Risk: 2 invoices overdue by more than 30 days (oldest due "
                "on 05/01/2026).",
                "Watch: 1 visit still not done 15 days after its window "
                "(ended on 05/26/2026).",
                "Watch: Terminable at any time: the renewal reminder was not "
                "sent in time (Loi Chatel).",
            ],
        )

    def test_thresholds_are_per_company_setting(self):
        self._post_invoice(self.contract, TODAY - timedelta(days=10))
        self.assertEqual(self._health(self.contract), "good")
        self.company.service_health_overdue_days = 9
        self.assertEqual(self._health(self.contract), "at_risk")
        self.company.service_health_overdue_days = 0
        self.assertEqual(self._health(self.contract), "at_risk")

    def test_only_running_contracts_have_a_health(self):
        draft = self._contract(sign=False)
        self.assertFalse(self._health(draft))
        with freeze_time(TODAY):
            self.contract._register_notice(TODAY, "customer", "Moving out")
        self.assertEqual(self._health(self.contract), "at_risk")
        self.contract._close("notice", TODAY)
        self.assertFalse(self.contract.health)
        self.assertFalse(self.contract.health_details)
        self.assertFalse(self.contract.health_reasons)

    def test_health_is_written_by_the_rules_only(self):
        self.assertRefused(
            UserError,
            "can only be changed by the actions",
            self.contract.write,
            {"health": "at_risk"},
        )

    def test_thresholds_are_checked(self):
        for values in (
            {"service_health_overdue_days": -1},
            {"service_health_late_visit_days": -1},
            {"service_health_margin_min": 100.5},
        ):
            with self.subTest(values=values):
                self.assertRefused(
                    ValidationError, "health", self.company.write, values
                )
        self.assertEqual(self.company.service_health_overdue_days, 30)

    def test_settings_apply_at_once(self):
        cron = self.env.ref("service_contract.ir_cron_update_health")
        Trigger = self.env["ir.cron.trigger"].sudo()
        before = Trigger.search_count([("cron_id", "=", cron.id)])
        settings = self.env["res.config.settings"].create(
            {"service_health_overdue_days": 45, "service_health_margin_min": 5.0}
        )
        settings.execute()
        self.assertEqual(self.company.service_health_overdue_days, 45)
        self.assertEqual(self.company.service_health_margin_min, 5.0)
        self.assertGreater(Trigger.search_count([("cron_id", "=", cron.id)]), before)


@tagged("post_install", "-at_install")
class TestHealthCron(HealthCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.at_risk = cls._contract()
        cls.watch = cls._contract()
        cls.draft = cls._contract(sign=False)
        cls.Contract = cls.env["service.contract"]

    def setUp(self):
        super().setUp()
        self._post_invoice(self.at_risk, TODAY - timedelta(days=31))
        self._visit(self.watch, TODAY - timedelta(days=16))

    def test_daily_update_is_idempotent(self):
        written = self.Contract._cron_update_health(today=TODAY)
        self.assertGreaterEqual(written, 2)
        self.assertEqual(
            (self.contract.health, self.at_risk.health, self.watch.health),
            ("good", "at_risk", "watch"),
        )
        self.assertFalse(self.draft.health)
        # The second run of the day writes nothing at all.
        model_class = type(self.Contract)
        with patch.object(
            model_class, "write", autospec=True, side_effect=model_class.write
        ) as write:
            self.assertEqual(self.Contract._cron_update_health(today=TODAY), 0)
        write.assert_not_called()
        # Paid, the invoice no longer weighs: only that contract is written.
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=self.at_risk.invoice_ids.ids
        ).create({"payment_date": TODAY})._create_payments()
        self.assertEqual(self.Contract._cron_update_health(today=TODAY), 1)
        self.assertEqual(self.at_risk.health, "good")
        self.assertEqual(self.at_risk.health_date, TODAY)

    def test_daily_update_runs_in_batches(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "service_contract.cron_batch_size", 2
        )
        todo = self.Contract.search(self.Contract._get_health_domain())
        model_class = type(self.Contract)
        sizes = []
        original = model_class._update_health

        def update(records, today):
            sizes.append(len(records))
            return original(records, today)

        with (
            patch.object(model_class, "_update_health", update),
            patch.object(model_class, "_commit_batch", autospec=True) as commit,
        ):
            self.Contract._cron_update_health(today=TODAY)
        self.assertEqual(max(sizes), 2)
        self.assertEqual(sum(sizes), len(todo))
        self.assertEqual(commit.call_count, math.ceil(len(todo) / 2))

    def test_a_failing_contract_does_not_stop_the_others(self):
        model_class = type(self.Contract)
        original = model_class._health_rule_late_visit
        broken = self.watch

        def rule(records, today):
            if broken in records:
                raise KeyError("broken data")
            return original(records, today)

        summary = "Contract health update failed"
        with (
            patch.object(model_class, "_health_rule_late_visit", rule),
            mute_logger("odoo.addons.service_contract.models.service_contract_cron"),
        ):
            self.Contract._cron_update_health(today=TODAY)
        self.assertEqual(self.at_risk.health, "at_risk")
        # Good since its signature, not updated: its late visit is not seen.
        self.assertEqual(self.watch.health, "good")
        activity = self.watch.activity_ids.filtered(lambda a: a.summary == summary)
        self.assertEqual(len(activity), 1)
        self.assertIn("broken data", activity.note)

    def test_runs_on_the_company_day(self):
        """At 2026-06-15 13:00 UTC it is already 06-16 in Auckland: the
        visit whose window ended on 05-31 is 16 days late there."""
        self.company.partner_id.tz = "Pacific/Auckland"
        late = self._contract()
        self._visit(late, date(2026, 5, 31))
        with freeze_time("2026-06-15 13:00:00"):
            self.Contract._cron_update_health()
        self.assertEqual(late.health, "watch")
        self.assertEqual(late.health_date, date(2026, 6, 16))
        self.company.partner_id.tz = "UTC"
        with freeze_time("2026-06-15 13:00:00"):
            self.Contract._cron_update_health()
        self.assertEqual(late.health, "good")

    def test_alert_list_shows_contracts_at_risk(self):
        self.Contract._cron_update_health(today=TODAY)
        alerts = self.env["service.contract.alert"].search([("kind", "=", "at_risk")])
        alert = alerts.filtered(lambda a: a.contract_id == self.at_risk)
        self.assertEqual(len(alert), 1)
        self.assertEqual(alert.date, TODAY)
        self.assertEqual(alert.user_id, self.at_risk.user_id)
        self.assertIn("call the customer", alert.action)
        self.assertNotIn(self.watch, alerts.contract_id)
        self.assertEqual(alert.action_open()["res_id"], self.at_risk.id)

    def test_contract_user_reads_the_health(self):
        """A contract user without accounting rights filters, groups and
        reads the health, the reasons and the alert of a contract at risk
        because of its invoices."""
        self.Contract._cron_update_health(today=TODAY)
        user = new_test_user(
            self.env,
            login="sc_health_contract_user",
            groups="base.group_user,service_contract.group_service_contract_user",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        Contract = self.Contract.with_user(user)
        at_risk = Contract.search([("health", "=", "at_risk")])
        self.assertIn(self.at_risk, at_risk)
        self.assertNotIn(self.watch, at_risk)
        contract = self.at_risk.with_user(user)
        contract.invalidate_recordset()
        self.assertEqual(contract.health, "at_risk")
        self.assertIn("overdue by more than 30 days", contract.health_reasons)
        groups = dict(
            Contract._read_group(
                [("id", "in", (self.at_risk | self.watch | self.contract).ids)],
                ["health"],
                ["__count"],
            )
        )
        self.assertEqual(groups, {"good": 1, "watch": 1, "at_risk": 1})
        alert = (
            self.env["service.contract.alert"]
            .with_user(user)
            .search([("kind", "=", "at_risk"), ("contract_id", "=", contract.id)])
        )
        self.assertEqual(alert.read(["action"])[0]["action"], alert.action)


@tagged("post_install", "-at_install")
class TestHealthDemo(TransactionCase):
    """On a fresh demo database, the contracts already have a health."""

    def test_demo_contracts_have_a_health(self):
        contracts = self.env["service.contract"].search([])
        running = contracts.filtered(lambda c: c.state == "running")
        self.assertTrue(running)
        self.assertTrue(all(running.mapped("health")))
        self.assertFalse(any((contracts - running).mapped("health")))
        noticed = self.env.ref("service_contract.contract_tilleuls_boiler")
        self.assertEqual(noticed.health, "at_risk")
        self.assertIn("Notice received from the customer", noticed.health_reasons)
        self.assertIn(
            noticed,
            self.env["service.contract.alert"]
            .search([("kind", "=", "at_risk")])
            .contract_id,
        )
