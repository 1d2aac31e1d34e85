from datetime import date, datetime

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from ..models.service_lifecycle_guard import lifecycle_write
from .common import SIGNATURE_PIXEL, ServiceContractCase


@tagged("post_install", "-at_install")
class TestInterventions(ServiceContractCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.service_planning_horizon = 60
        cls.technician = new_test_user(
            cls.env,
            login="sc_technician",
            groups="base.group_user,service_contract.group_service_contract_technician",
        )
        cls.other_technician = new_test_user(
            cls.env,
            login="sc_technician_2",
            groups="base.group_user,service_contract.group_service_contract_technician",
        )
        cls.template.write(
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
        cls.plan = cls.template.visit_plan_ids

    def _generate(self, today):
        return self.env["service.contract"]._cron_generate_interventions(today=today)

    def _running(self, **values):
        values.setdefault("date_start", date(2027, 1, 10))
        values.setdefault("site_ids", [Command.set(self.site_a.ids)])
        contract = self._create_contract(
            duration=1, notice_period=1, technician_id=self.technician.id, **values
        )
        contract.action_sign()
        return contract

    def test_plan_is_copied_from_template_and_editable(self):
        contract = self._create_contract()
        plan = contract.visit_plan_ids
        self.assertEqual(plan.name, "Boiler service")
        self.assertEqual(plan.count_per_year, 4)
        plan.count_per_year = 2
        self.assertEqual(self.plan.count_per_year, 4)

    def test_four_visits_a_year_spread_from_the_start(self):
        self.company.service_planning_horizon = 365
        contract = self._running()
        self._generate(date(2027, 1, 1))
        visits = contract.intervention_ids.sorted("date_due")
        self.assertEqual(
            visits.mapped("date_due"),
            [
                date(2027, 1, 10),
                date(2027, 4, 10),
                date(2027, 7, 10),
                date(2027, 10, 10),
            ],
        )
        first = visits[0]
        self.assertEqual(first.kind, "preventive")
        self.assertEqual(first.state, "to_plan")
        self.assertEqual(first.date_window_start, date(2026, 12, 31))
        self.assertEqual(first.date_window_end, date(2027, 1, 30))
        self.assertEqual(first.user_id, self.technician)
        self.assertEqual(first.duration_expected, 1.5)
        self.assertEqual(first.partner_id, self.customer)
        self.assertTrue(first.name.startswith("INT/"))
        self.assertEqual(contract.visits_due_count, 4)
        self.assertEqual(contract.next_visit_date, date(2027, 1, 10))

    def test_visits_created_together_are_numbered_in_a_row(self):
        """The names of a batch are drawn in one query, as next_by_code
        draws them one by one: the next numbers of the sequence, in order."""
        contract = self._create_running_contract()
        Sequence = self.env["ir.sequence"]
        before = Sequence.next_by_code("service.intervention")
        visits = self.env["service.intervention"].create(
            [
                {"contract_id": contract.id, "date_due": date(2026, 5, 4 + i)}
                for i in range(3)
            ]
        )
        after = Sequence.next_by_code("service.intervention")
        number = int(before.rsplit("/", 1)[1])
        prefix = before.rsplit("/", 1)[0]
        self.assertEqual(
            visits.mapped("name"),
            [f"{prefix}/{number + i:05d}" for i in (1, 2, 3)],
        )
        self.assertEqual(after, f"{prefix}/{number + 4:05d}")
        # A sequence with date ranges is drawn one name at a time.
        self.env.ref("service_contract.seq_service_intervention").use_date_range = True
        visit = self.env["service.intervention"].create(
            {"contract_id": contract.id, "date_due": date(2026, 5, 8)}
        )
        self.assertTrue(visit.name.startswith("INT/"))
        # A name given is kept.
        named = self.env["service.intervention"].create(
            {
                "contract_id": contract.id,
                "date_due": date(2026, 5, 8),
                "name": "INT/OWN/1",
            }
        )
        self.assertEqual(named.name, "INT/OWN/1")

    def test_next_visit_is_the_earliest_open_one(self):
        self.company.service_planning_horizon = 365
        contract = self._running()
        self._generate(date(2027, 1, 1))
        jan, apr, jul, oct_ = contract.intervention_ids.sorted("date_due")
        with lifecycle_write():  # states set directly: this tests the compute
            # A later visit already planned does not hide an earlier one to plan.
            (apr | oct_).write({"state": "planned"})
            self.assertEqual(contract.next_visit_date, date(2027, 1, 10))
            jan.write({"state": "cancel"})
            self.assertEqual(contract.next_visit_date, date(2027, 4, 10))
            apr.write({"state": "done"})
            self.assertEqual(contract.next_visit_date, date(2027, 7, 10))
            (jul | oct_).write({"state": "done"})
        self.assertFalse(contract.next_visit_date)
        self.assertEqual(contract.intervention_count, 4)

    def test_horizon_limits_generation(self):
        contract = self._running()
        self._generate(date(2027, 1, 1))
        self.assertEqual(
            contract.intervention_ids.mapped("date_due"), [date(2027, 1, 10)]
        )
        self._generate(date(2027, 2, 15))
        self.assertEqual(len(contract.intervention_ids), 2)

    def test_one_visit_per_site(self):
        self.company.service_planning_horizon = 365
        contract = self._running(
            site_ids=[Command.set((self.site_a | self.site_b).ids)]
        )
        contract.visit_plan_ids.write({"per_site": True, "count_per_year": 1})
        self._generate(date(2027, 1, 1))
        self.assertEqual(contract.intervention_ids.site_id, self.site_a | self.site_b)
        self.assertEqual(len(contract.intervention_ids), 2)

    def test_every_six_weeks_stops_at_contract_end_and_resumes_after_renewal(self):
        self.company.service_planning_horizon = 400
        contract = self._running(date_start=date(2026, 1, 5))
        contract.visit_plan_ids.write(
            {"frequency_type": "interval", "interval": 6, "interval_unit": "week"}
        )
        self._generate(date(2026, 1, 1))
        dues = contract.intervention_ids.sorted("date_due").mapped("date_due")
        self.assertEqual(
            dues[:3], [date(2026, 1, 5), date(2026, 2, 16), date(2026, 3, 30)]
        )
        self.assertEqual(dues[-1], date(2026, 12, 7))
        self.assertEqual(len(dues), 9)
        self.assertTrue(all(due <= contract.date_end for due in dues))
        self.env["service.contract"]._cron_process_terms(today=date(2027, 1, 5))
        self.assertEqual(contract.date_end, date(2028, 1, 4))
        self._generate(date(2027, 1, 5))
        dues = contract.intervention_ids.sorted("date_due").mapped("date_due")
        self.assertEqual(dues[9], date(2027, 1, 18))
        self.assertEqual(dues[-1], date(2027, 12, 20))
        self.assertEqual(len(dues), 18)

    def test_generation_is_idempotent(self):
        self.company.service_planning_horizon = 365
        contract = self._running()
        self._generate(date(2027, 1, 1))
        visits = contract.intervention_ids
        self.assertEqual(len(visits), 4)
        self._generate(date(2027, 1, 1))
        self.assertEqual(contract.intervention_ids, visits)
        self.assertFalse(contract._generate_interventions(date(2027, 1, 1)))
        # A cancelled visit is not generated again.
        visits[0].action_cancel()
        self._generate(date(2027, 1, 2))
        self.assertEqual(contract.intervention_ids, visits)

    def test_visits_from_skips_past_visits(self):
        self.company.service_planning_horizon = 30
        contract = self._running(date_start=date(2026, 1, 10))
        contract.date_visits_from = date(2026, 10, 1)
        self._generate(date(2026, 10, 1))
        self.assertEqual(
            contract.intervention_ids.mapped("date_due"), [date(2026, 10, 1)]
        )

    def test_late_visits_are_generated_too(self):
        contract = self._running(date_start=date(2026, 1, 10))
        self._generate(date(2026, 6, 1))
        visits = contract.intervention_ids.sorted("date_due")
        # Horizon 60 days from June 1st: the January and April visits, past
        # their window, are generated too, and show as late.
        self.assertEqual(
            visits.mapped("date_due"),
            [date(2026, 1, 10), date(2026, 4, 10), date(2026, 7, 10)],
        )
        self.assertTrue(visits[0].is_late)
        self.assertIn(
            visits[0],
            self.env["service.intervention"].search([("is_late", "=", True)]),
        )

    def test_termination_cancels_future_visits_only(self):
        self.company.service_planning_horizon = 365
        contract = self._running(date_start=date(2026, 1, 10))
        self._generate(date(2026, 1, 1))
        visits = contract.intervention_ids.sorted("date_due")
        visits[0].write({"report": "<p>Done</p>"})
        visits[0].action_done()
        wizard = (
            self.env["service.contract.terminate"]
            .with_context(default_contract_id=contract.id)
            .create(
                {"date": date(2026, 5, 1), "termination_type": "cause", "reason": "x"}
            )
        )
        wizard.action_confirm()
        self.assertEqual(
            visits.mapped("state"), ["done", "to_plan", "cancel", "cancel"]
        )

    def test_execution_flow_with_report_and_signature(self):
        contract = self._running()
        contract.visit_plan_ids.signature_required = True
        self._generate(date(2027, 1, 1))
        visit = contract.intervention_ids.with_user(self.technician)
        visit.write(
            {
                "date_planned_start": datetime(2027, 1, 11, 9, 0),
                "user_id": self.technician.id,
            }
        )
        visit.action_plan()
        self.assertEqual(visit.state, "planned")
        self.assertEqual(visit.date_planned_end, datetime(2027, 1, 11, 10, 30))
        visit.action_start()
        self.assertTrue(visit.date_started)
        visit.action_finish()
        self.assertFalse(visit.date_started)
        with self.assertRaisesRegex(UserError, "Write the visit report"):
            visit.action_done()
        visit.report = "<p>Burner cleaned, flue checked.</p>"
        with self.assertRaisesRegex(UserError, "must sign"):
            visit.action_done()
        self.assertEqual(visit.state, "planned")
        visit.write({"signature": SIGNATURE_PIXEL, "signed_by": "Anne Signer"})
        visit.action_done()
        self.assertEqual(visit.state, "done")
        self.assertTrue(visit.date_done)
        attachment = self.env["ir.attachment"].search(
            [("res_model", "=", "service.intervention"), ("res_id", "=", visit.id)]
        )
        self.assertEqual(attachment.mimetype, "application/pdf")
        self.assertTrue(attachment.raw.startswith(b"%PDF"))
        self.assertEqual(contract.visits_done_count, 1)

    def test_invalid_input_is_refused(self):
        contract = self._running()
        self._generate(date(2027, 1, 1))
        visit = contract.intervention_ids
        self.assertRefused(
            ValidationError,
            "planned end is before",
            visit.write,
            {
                "date_planned_start": datetime(2027, 1, 11, 9, 0),
                "date_planned_end": datetime(2027, 1, 11, 8, 0),
            },
        )
        self.assertRefused(
            ValidationError,
            "not one of the sites",
            visit.write,
            {"site_id": self.site_b.id},
        )
        self.assertRefused(
            ValidationError,
            "visits per year must be positive",
            contract.visit_plan_ids.write,
            {"count_per_year": 0},
        )
        self.assertRefused(
            ValidationError,
            "interval between visits",
            contract.visit_plan_ids.write,
            {"frequency_type": "interval", "interval": 0},
        )
        self.assertRefused(UserError, "Set the technician", visit.action_plan)
        self.assertEqual(visit.state, "to_plan")
        self.assertEqual(contract.visit_plan_ids.count_per_year, 4)

    def test_corrective_intervention(self):
        contract = self._running()
        visit = self.env["service.intervention"].create(
            {
                "contract_id": contract.id,
                "date_due": date(2027, 2, 1),
                "description": "Leak in the boiler room",
                "is_covered": False,
            }
        )
        self.assertEqual(visit.kind, "corrective")
        self.assertEqual(visit.partner_id, self.customer)
        self.assertFalse(visit.is_covered)

    def test_technicians_see_and_edit_their_own_visits_only(self):
        self.company.service_planning_horizon = 365
        contract = self._running()
        self._generate(date(2027, 1, 1))
        mine = contract.intervention_ids[:2]
        theirs = contract.intervention_ids[2:]
        theirs.user_id = self.other_technician
        Intervention = self.env["service.intervention"].with_user(self.technician)
        self.assertEqual(Intervention.search([("contract_id", "=", contract.id)]), mine)
        mine.with_user(self.technician).write({"report": "<p>ok</p>"})
        with self.assertRaises(AccessError):
            theirs.with_user(self.technician).read(["report"])
        with self.assertRaises(AccessError):
            theirs.with_user(self.technician).write({"report": "<p>no</p>"})
        # Names of contract and customer are visible, prices are not.
        data = mine[0].with_user(self.technician).read(["contract_id", "partner_id"])[0]
        self.assertEqual(data["contract_id"][0], contract.id)
        with self.assertRaises(AccessError):
            contract.line_ids.with_user(self.technician).read(["price_unit"])
        with self.assertRaises(AccessError):
            contract.with_user(self.technician).read(["amount_untaxed"])

    def test_alerts_are_sent_once(self):
        contract = self._running(date_start=date(2026, 1, 10))
        self.company.service_planning_horizon = 30
        self._generate(date(2026, 4, 5))
        jan, apr = contract.intervention_ids.sorted("date_due")
        Contract = self.env["service.contract"]
        Contract._cron_alerts(today=date(2026, 4, 5))
        self.assertEqual(jan.activity_ids.activity_type_id.name, "Late visit")
        self.assertEqual(jan.activity_ids.user_id, self.technician)
        self.assertEqual(apr.activity_ids.activity_type_id.name, "Visit to plan")
        self.assertEqual(apr.activity_ids.user_id, contract.user_id)
        Contract._cron_alerts(today=date(2026, 4, 6))
        self.assertEqual(len(jan.activity_ids), 1)
        self.assertEqual(len(apr.activity_ids), 1)
        # Once late, the April visit gets its second (and last) alert.
        Contract._cron_alerts(today=date(2026, 5, 1))
        self.assertEqual(len(apr.activity_ids), 2)
        Contract._cron_alerts(today=date(2026, 5, 2))
        self.assertEqual(len(apr.activity_ids), 2)

    def test_alert_list(self):
        contract = self._running(date_start=date(2025, 1, 1))
        self._generate(date(2025, 2, 1))
        self.env.flush_all()
        alerts = self.env["service.contract.alert"].search(
            [("contract_id", "=", contract.id)]
        )
        self.assertIn("visit_late", alerts.mapped("kind"))
        late = alerts.filtered(lambda a: a.kind == "visit_late")
        self.assertEqual(late.intervention_id, contract.intervention_ids)
        self.assertTrue(late[0].action)
        self.assertEqual(late[0].action_open()["res_id"], late[0].intervention_id.id)

    def test_calendar_move_plans_the_visit(self):
        contract = self._running()
        self._generate(date(2027, 1, 1))
        visit = contract.intervention_ids
        self.assertEqual(visit.date_calendar, datetime(2027, 1, 10, 8, 0))
        visit.date_calendar = datetime(2027, 1, 12, 14, 0)
        self.assertEqual(visit.date_planned_start, datetime(2027, 1, 12, 14, 0))
        self.assertEqual(visit.date_planned_end, datetime(2027, 1, 12, 15, 30))
        self.assertEqual(visit.state, "planned")
