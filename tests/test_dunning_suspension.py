from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .test_dunning import D30, D45, DunningCase


@tagged("post_install", "-at_install")
class TestDunningSuspension(DunningCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contract._generate_interventions(date(2026, 4, 1))

    def _open_visits(self):
        return self.contract.intervention_ids.filtered(
            lambda i: i.state in ("to_plan", "planned")
        )

    def test_suspension_holds_visits_payment_resumes(self):
        move = self._post_invoice(self.contract)
        visits = self._open_visits()
        self.assertTrue(visits)
        self._run(D30)
        self.assertFalse(self.contract.dunning_suspended)
        letter = self._run(D45)
        self.assertEqual(letter.level_id.action, "suspension")
        self.assertTrue(self.contract.dunning_suspended)
        self.assertEqual(self.contract.dunning_level_id, letter.level_id)
        self.assertTrue(all(visits.mapped("dunning_held")))
        # Not generated, not planned.
        with freeze_time(D45):
            self.assertFalse(self.contract._generate_interventions(date(2026, 9, 1)))
        visit = visits[0]
        visit.write(
            {"user_id": self.env.user.id, "date_planned_start": "2026-06-20 08:00:00"}
        )
        self.assertRefused(UserError, "suspended for non-payment", visit.action_plan)
        alerts = self.env["service.contract.alert"].search(
            [("contract_id", "=", self.contract.id), ("kind", "=", "dunning_suspended")]
        )
        self.assertEqual(len(alerts), 1)
        # Paid: resumed, the held visits to plan again, the missing ones made.
        self._pay(move, date(2026, 6, 20))
        self.assertFalse(self.contract.dunning_suspended)
        self.assertFalse(any(visits.mapped("dunning_held")))
        self.assertGreater(len(self._open_visits()), len(visits))
        visit.action_plan()
        self.assertEqual(visit.state, "planned")
        bodies = "".join(self.contract.message_ids.mapped("body"))
        self.assertIn("Service suspended for non-payment", bodies)
        self.assertIn("Service resumed", bodies)

    def test_partial_payment_keeps_suspension(self):
        move = self._post_invoice(self.contract)
        self._run(D45)
        self._pay(move, date(2026, 6, 20), amount=200.0)
        self.assertTrue(self.contract.dunning_suspended)

    def test_credit_note_resumes(self):
        move = self._post_invoice(self.contract)
        self._run(D45)
        with freeze_time(date(2026, 6, 20)):
            move._reverse_moves(cancel=True)
        self.assertFalse(self.contract.dunning_suspended)

    def test_breakdown_on_suspended_contract_is_warned(self):
        self._post_invoice(self.contract)
        self._run(D45)
        with freeze_time(date(2026, 6, 16)):
            breakdown = self.env["service.intervention"]._report_breakdown(
                self.contract, "No heating", reported_by=self.customer
            )
        self.assertTrue(breakdown)
        self.assertIn(
            "suspended for non-payment",
            "".join(breakdown.message_ids.mapped("body")),
        )
        self.assertIn(
            "Breakdown on a suspended contract",
            breakdown.activity_ids.mapped("summary"),
        )

    def test_contract_user_sees_level_not_letters(self):
        """A contract user without accounting rights sees the level reached
        and the suspension, never the letters and their amounts."""
        self._post_invoice(self.contract)
        self._run(D45)
        user = new_test_user(
            self.env,
            login="dunning_contract_user",
            groups="service_contract.group_service_contract_user",
            company_id=self.company.id,
        )
        contract = self.contract.with_user(user)
        self.assertEqual(contract.dunning_level_id.action, "suspension")
        self.assertTrue(contract.dunning_suspended)
        Letter = self.env["service.dunning.letter"].with_user(user)
        self.assertRefused(AccessError, "", Letter.search, [])
        self.assertRefused(AccessError, "", Letter.action_run_dunning)
        self.assertRefused(UserError, "", contract.write, {"dunning_suspended": False})
