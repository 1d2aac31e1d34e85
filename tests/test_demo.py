from datetime import datetime, time, timedelta

from odoo import fields
from odoo.tests import TransactionCase, tagged
from odoo.tools import is_html_empty


@tagged("post_install", "-at_install")
class TestDemo(TransactionCase):
    """The demo database looks like a company at work on the day the demo
    was installed (tools/test installs it, then runs the tests on it)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.today()
        # The day the demo dates were computed from (DateTime.today(), UTC).
        cls.install_day = cls.env.ref(
            "service_contract.contract_dupont_boiler"
        ).create_date.date()
        cls.contracts = cls.env["service.contract"].browse(
            cls.env["ir.model.data"]
            .search(
                [
                    ("module", "=", "service_contract"),
                    ("model", "=", "service.contract"),
                ]
            )
            .mapped("res_id")
        )

    def _ref(self, xmlid):
        return self.env.ref(f"service_contract.{xmlid}")

    def test_one_contract_in_each_state(self):
        states = set(self.contracts.mapped("state"))
        self.assertEqual(states, {"draft", "to_sign", "running", "closed", "cancel"})
        running = self.contracts.filtered(lambda c: c.state == "running")
        self.assertTrue(running.filtered("notice_date"), "running with notice")
        self.assertTrue(running.filtered(lambda c: not c.notice_date))
        self.assertEqual(
            set(
                self.contracts.filtered(lambda c: c.state == "closed").mapped(
                    "close_reason"
                )
            ),
            {"terminated", "expired"},
        )

    def test_signed_and_to_sign_contracts_show_their_document(self):
        shown = self.contracts.filtered(
            lambda c: c.state in ("to_sign", "running", "closed")
        )
        self.assertTrue(shown)
        for contract in shown:
            self.assertFalse(is_html_empty(contract.document_body), contract.name)
            self.assertIn(contract.name, contract.document_body)
        for contract in shown.filtered(lambda c: c.state != "to_sign"):
            self.assertTrue(contract.document_frozen, contract.name)
            self.assertTrue(contract.signature and contract.signed_by, contract.name)
            self.assertEqual(
                contract.signed_document_id.mimetype, "application/pdf", contract.name
            )
            self.assertTrue(contract.period_ids, contract.name)

    def test_planning_has_visits_this_week_done_and_late(self):
        Intervention = self.env["service.intervention"]
        day = self.install_day
        monday = datetime.combine(day - timedelta(days=day.weekday()), time.min)
        planned = Intervention.search(
            [
                ("state", "=", "planned"),
                ("user_id", "!=", False),
                ("date_planned_start", ">=", monday),
                ("date_planned_start", "<", monday + timedelta(days=7)),
            ]
        )
        self.assertGreaterEqual(len(planned), 2)

        done = Intervention.search([("state", "=", "done")])
        self.assertTrue(done)
        for visit in done:
            self.assertFalse(is_html_empty(visit.report), visit.name)
            self.assertTrue(visit.signature and visit.signed_by, visit.name)
            self.assertLess(visit.date_done.date(), day, visit.name)
            pdf = self.env["ir.attachment"].search(
                [
                    ("res_model", "=", visit._name),
                    ("res_id", "=", visit.id),
                    ("mimetype", "=", "application/pdf"),
                ]
            )
            self.assertEqual(len(pdf), 1, visit.name)
        self.assertTrue(
            done.filtered(lambda v: v.date_done.date() >= day - timedelta(40)),
            "visits done last month",
        )
        late = Intervention.search([("is_late", "=", True)])
        self.assertTrue(late, "a few late visits")
        self.assertLess(len(late), len(done))

    def test_invoices_posted_paid_and_overdue(self):
        invoices = self.contracts.invoice_ids
        self.assertTrue(invoices)
        self.assertEqual(set(invoices.mapped("state")), {"posted"})
        self.assertTrue(
            invoices.filtered(lambda m: m.payment_state in ("paid", "in_payment"))
        )
        overdue = invoices.filtered(
            lambda m: m.payment_state == "not_paid" and m.invoice_date_due < self.today
        )
        self.assertEqual(len(overdue), 1)
        self.assertTrue(self._ref("contract_tilleuls_lift").is_late_payer)

    def test_alerts_show_more_than_late_visits(self):
        kinds = set(self.env["service.contract.alert"].search([]).mapped("kind"))
        self.assertGreaterEqual(
            kinds,
            {
                "visit_to_plan",
                "visit_late",
                "notice_deadline",
                "express_renewal",
                "overdue_invoice",
            },
        )

    def test_loi_chatel_cases_are_kept(self):
        martin = self._ref("contract_martin_boiler")
        self.assertTrue(martin.chatel_applies)
        self.assertTrue(martin.chatel_reminder_date)
        bernard = self._ref("contract_bernard_boiler")
        self.assertTrue(bernard.chatel_applies)
        self.assertFalse(bernard.chatel_reminder_date)
        self.assertLess(bernard.chatel_window_end, self.today)
        self.assertTrue(bernard.chatel_terminable)

    def test_done_visits_have_parts_and_costs(self):
        done = self.env["service.intervention"].search([("state", "=", "done")])
        self.assertTrue(all(done.mapped("cost_labour")), "time spent is valued")
        self.assertTrue(done.filtered("material_line_ids"), "parts were used")
        for visit in done:
            self.assertEqual(
                visit.cost_total,
                visit.cost_labour + visit.cost_material + visit.cost_travel,
                visit.name,
            )
        door = self._ref("intervention_tilleuls_door")
        self.assertEqual(door.state, "done")
        # 2.5 h at 42.00, two rollers at 38.00 and oil at 11.00, 18.00 travel
        self.assertEqual(door.cost_labour, 105.0)
        self.assertEqual(door.cost_material, 87.0)
        self.assertEqual(door.cost_travel, 18.0)
        self.assertEqual(door.cost_total, 210.0)
        self.assertEqual(
            door.material_line_ids.filtered(lambda p: not p.is_covered).product_id,
            self._ref("product_part_door_roller"),
        )

    def test_price_revisions(self):
        """The templates carry a revision clause; the lift contract, started
        more than two years ago, was revised on each anniversary, from the
        index values, and its customer got the letters."""
        for xmlid, code, fixed_part in (
            ("template_boiler", "BT01", 0.15),
            ("template_lift", "ING", 0.15),
            ("template_it", "SYNTEC", 0.30),
        ):
            template = self._ref(xmlid)
            self.assertTrue(template.has_revision, xmlid)
            self.assertEqual(template.revision_fixed_part, fixed_part)
            self.assertEqual(template.revision_term_ids.index_id.code, code)
        running = self.contracts.filtered(lambda c: c.state == "running")
        self.assertTrue(all(running.mapped("has_revision")))
        self.assertTrue(all(c.revision_date > self.install_day for c in running))
        self.assertFalse(running.filtered("revision_blocked"))
        lift = self._ref("contract_tilleuls_lift")
        revisions = lift.revision_ids.sorted("date")
        self.assertEqual(len(revisions), 2)
        self.assertEqual(
            revisions.mapped("date"),
            [
                lift.date_start.replace(year=lift.date_start.year + 1),
                lift.date_start.replace(year=lift.date_start.year + 2),
            ],
        )
        for revision in revisions:
            self.assertGreater(revision.coefficient, 1.0)
            self.assertEqual(revision.letter_state, "sent")
            self.assertIn("ING", revision.formula)
        self.assertGreater(revisions[1].amount_after, revisions[0].amount_before)
        # The service lines carry the revised prices.
        self.assertEqual(
            sum(revisions[1].line_ids.mapped("price_after")),
            sum(lift.line_ids.mapped("price_unit")),
        )

    def test_equipment(self):
        boilers = self._ref("equipment_category_boiler")
        lifts = self._ref("equipment_category_lift")
        self.assertEqual((boilers.regulation, lifts.regulation), ("boiler", "lift"))
        lift_a = self._ref("equipment_tilleuls_lift_a")
        lift_b = self._ref("equipment_tilleuls_lift_b")
        contract = self._ref("contract_tilleuls_lift")
        self.assertTrue(contract.visit_plan_ids.per_equipment)
        self.assertEqual(lift_a.contract_ids, contract)
        # One visit per lift and date, each on the lift's own site.
        visits = contract.intervention_ids.filtered("plan_id")
        self.assertTrue(visits)
        for visit in visits:
            self.assertEqual(len(visit.equipment_ids), 1, visit.name)
            self.assertEqual(visit.plan_equipment_id, visit.equipment_ids)
            self.assertEqual(visit.site_id, visit.equipment_ids.site_id)
        self.assertEqual(visits.equipment_ids, lift_a | lift_b)
        # The boiler of Jeanne Dupont has its visits done on record.
        boiler = self._ref("equipment_dupont_boiler")
        self.assertTrue(boiler.last_visit_date)
        self.assertEqual(
            boiler.intervention_ids.contract_id, self._ref("contract_dupont_boiler")
        )

    def test_response_times(self):
        # The lift template promises 4 hours around the clock: the breakdown
        # reported at 9:30 on the install day is due by 13:30, and planned
        # before.
        lift = self._ref("contract_tilleuls_lift")
        self.assertEqual(lift.response_time_hours, 4)
        self.assertFalse(lift.response_business_hours)
        breakdown = self._ref("intervention_lift_breakdown")
        self.assertEqual(
            breakdown.date_response_deadline,
            breakdown.date_reported + timedelta(hours=4),
        )
        self.assertLess(breakdown.date_planned_start, breakdown.date_response_deadline)
        # The door call-out, reported at 7:00 and started at 9:00, was on time.
        door = self._ref("intervention_tilleuls_door")
        self.assertEqual(
            door.date_response_deadline - door.date_reported, timedelta(hours=4)
        )
        self.assertFalse(door.response_breached)
        self.assertEqual(door.response_state, "met")
        boiler = self._ref("template_boiler")
        self.assertEqual(boiler.response_time_hours, 16)
        self.assertTrue(boiler.response_business_hours)
