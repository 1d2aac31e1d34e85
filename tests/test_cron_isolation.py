from contextlib import contextmanager
from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from .common import ServiceContractCase


@tagged("post_install", "-at_install")
class TestCronIsolation(ServiceContractCase):
    """One broken contract never stops a scheduled action: the others are
    processed, the broken one gets one activity saying what is wrong (not
    one more at the next run), and the scheduled action stays active."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.signatory.email = "anne.signer@example.com"
        cls.Contract = cls.env["service.contract"]

    @contextmanager
    def _broken(self, model, method, broken, error=KeyError):
        """Make ``model.method`` raise ``error`` on the ``broken`` records."""
        model_class = type(self.env[model])
        original = getattr(model_class, method)

        def fail_on_broken(records, *args, **kwargs):
            if records._name == "service.contract.period":
                records_of_broken = records.contract_id & broken
            else:
                records_of_broken = records & broken
            if records_of_broken:
                raise error("broken data")
            return original(records, *args, **kwargs)

        with patch.object(model_class, method, fail_on_broken):
            yield

    def _trigger(self, xmlid, now):
        """Run the scheduled action as Odoo's scheduler does, twice."""
        cron = self.env.ref(xmlid)
        for _run in range(2):
            with (
                freeze_time(now),
                self.assertLogs("odoo.addons.service_contract", level="WARNING"),
            ):
                self.assertTrue(cron.method_direct_trigger())
        self.assertTrue(cron.active)

    def _assert_one_activity(self, contract, summary):
        activities = contract.activity_ids.filtered(lambda a: a.summary == summary)
        self.assertEqual(len(activities), 1)
        self.assertIn("broken data", activities.note)
        self.assertEqual(activities.user_id, contract.user_id)

    def test_terms(self):
        good, broken = self._create_running_contract(), self._create_running_contract()
        with self._broken("service.contract", "_catch_up_renewals", broken):
            self._trigger(
                "service_contract.ir_cron_process_terms", "2026-03-01 12:00:00"
            )
        self.assertEqual(good.renewal_count, 1)
        self.assertEqual(good.date_end, date(2027, 2, 28))
        self.assertEqual(broken.renewal_count, 0)
        self._assert_one_activity(broken, "Renewal or closing at term failed")
        self.assertFalse(good.activity_ids)

    def test_invoicing(self):
        good, broken = self._create_running_contract(), self._create_running_contract()
        with self._broken(
            "service.contract.period", "_prepare_invoice_vals", broken, ValueError
        ):
            self._trigger(
                "service_contract.ir_cron_create_invoices", "2024-03-15 12:00:00"
            )
        self.assertEqual(good.invoice_count, 1)
        self.assertFalse(broken.invoice_ids)
        self._assert_one_activity(broken, "Invoicing failed")
        self.assertIn("ValueError", broken.activity_ids.note)

    def test_invoicing_error_at_creation(self):
        """An error of Odoo's invoice creation, not only of our preparation."""
        good, broken = self._create_running_contract(), self._create_running_contract()
        Move = type(self.env["account.move"])
        original = Move.create

        def create(moves, vals_list):
            vals_list = vals_list if isinstance(vals_list, list) else [vals_list]
            if any(
                broken.name in (vals.get("invoice_origin") or "") for vals in vals_list
            ):
                raise ValueError("broken data")
            return original(moves, vals_list)

        with patch.object(Move, "create", create):
            self._trigger(
                "service_contract.ir_cron_create_invoices", "2024-03-15 12:00:00"
            )
        self.assertEqual(good.invoice_count, 1)
        self.assertFalse(broken.invoice_ids)
        self._assert_one_activity(broken, "Invoicing failed")

    def _visit_contracts(self):
        self.template.write(
            {
                "visit_plan_ids": [
                    Command.create(
                        {
                            "name": "Boiler service",
                            "frequency_type": "count",
                            "count_per_year": 4,
                            "days_early": 10,
                            "days_late": 20,
                            "duration": 1.5,
                        }
                    )
                ]
            }
        )
        return self._create_running_contract(), self._create_running_contract()

    def test_visits(self):
        good, broken = self._visit_contracts()
        with self._broken("service.contract", "_get_visits_until", broken):
            self._trigger(
                "service_contract.ir_cron_generate_interventions",
                "2024-03-02 12:00:00",
            )
        self.assertTrue(good.intervention_ids)
        self.assertFalse(broken.intervention_ids)
        self._assert_one_activity(broken, "Generation of the preventive visits failed")

    def test_chatel_reminders(self):
        self.customer.legal_category = "consumer"
        good, broken = self._create_running_contract(), self._create_running_contract()
        with self._broken("service.contract", "_send_chatel_reminders", broken):
            self._trigger(
                "service_contract.ir_cron_chatel_reminders", "2025-10-01 12:00:00"
            )
        self.assertEqual(good.chatel_reminder_date, date(2025, 10, 1))
        self.assertFalse(broken.chatel_reminder_date)
        self._assert_one_activity(broken, "Renewal reminder (Loi Chatel) failed")

    def test_alerts(self):
        good, broken = self._visit_contracts()
        (good | broken)._generate_interventions(date(2024, 3, 2))
        self.assertTrue(good.intervention_ids)
        self.assertTrue(broken.intervention_ids)
        with self._broken(
            "service.intervention", "_schedule_alert", broken.intervention_ids
        ):
            self._trigger("service_contract.ir_cron_alerts", "2024-03-02 12:00:00")
        self.assertTrue(good.intervention_ids.activity_ids)
        self.assertFalse(broken.intervention_ids.activity_ids)
        self._assert_one_activity(broken, "Alerts on the visits failed")

    def test_alerts_one_failing_visit_among_others(self):
        """Visits due a 'late' and a 'plan' alert on two contracts: the one
        visit whose alert fails gets none and leaves one activity on its
        contract; every other visit, of that contract too, gets its alert,
        once, however many runs."""
        self.company.service_planning_horizon = 90
        good, broken = self._visit_contracts()
        today = date(2024, 9, 2)
        (good | broken)._generate_interventions(today)
        visits = (good | broken).intervention_ids
        due = visits.filtered(lambda v: v.date_window_start <= today)
        late = due.filtered(lambda v: v.date_window_end < today)
        self.assertTrue(late & broken.intervention_ids)
        self.assertTrue((due - late) & broken.intervention_ids)
        failing = (late & broken.intervention_ids)[-1]
        Contract = self.env["service.contract"]
        with self._broken("service.intervention", "_schedule_alert", failing):
            with self.assertLogs("odoo.addons.service_contract", level="WARNING"):
                self.assertEqual(Contract._cron_alerts(today=today), len(due) - 1)
            with self.assertLogs("odoo.addons.service_contract", level="WARNING"):
                self.assertEqual(Contract._cron_alerts(today=today), 0)
        self.assertFalse(failing.activity_ids)
        for visit in due - failing:
            self.assertEqual(len(visit.activity_ids), 1, visit.name)
        self.assertEqual(
            (late - failing).activity_ids.activity_type_id.name, "Late visit"
        )
        self.assertEqual(
            (due - late).activity_ids.activity_type_id.name, "Visit to plan"
        )
        self.assertFalse((visits - due).activity_ids)
        self._assert_one_activity(broken, "Alerts on the visits failed")
        self.assertFalse(good.activity_ids)
        # Repaired, the visit gets its alert at the next run.
        self.assertEqual(Contract._cron_alerts(today=today), 1)
        self.assertEqual(failing.activity_ids.activity_type_id.name, "Late visit")
