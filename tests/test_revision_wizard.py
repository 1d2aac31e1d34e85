from datetime import date

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from .common import RevisionUiCase


@tagged("post_install", "-at_install")
class TestRevisionWizard(RevisionUiCase):
    """Revise Prices: the preview per contract, then the manager applies
    the contracts they tick, by the index or by a negotiated percentage."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contract_a = cls._create_revised_contract()
        cls.contract_b = cls._create_revised_contract(price=600.0)
        cls.contract_late = cls._create_revised_contract(index=cls.late_index)
        cls.contracts = cls.contract_a | cls.contract_b | cls.contract_late

    def _wizard(self, contracts, user=None, **values):
        Wizard = self.env["service.contract.revision.wizard"]
        if user:
            Wizard = Wizard.with_user(user)
        Wizard = Wizard.with_context(
            active_model="service.contract", active_ids=contracts.ids
        )
        form = Form(Wizard)
        form.date = date(2023, 9, 15)
        for name, value in values.items():
            setattr(form, name, value)
        return form.save()

    def _line(self, wizard, contract):
        return wizard.line_ids.filtered(lambda line: line.contract_id == contract)

    def test_preview_shows_values_coefficient_and_yearly_amounts(self):
        wizard = self._wizard(self.contracts, user=self.manager)
        self.assertEqual(wizard.line_ids.contract_id, self.contracts)
        line = self._line(wizard, self.contract_a)
        self.assertEqual(line.revision_date, date(2023, 9, 1))
        self.assertAlmostEqual(line.coefficient, 1.065223, places=6)
        self.assertAlmostEqual(line.amount_before, 1200.0, places=2)
        self.assertAlmostEqual(line.amount_after, 1278.27, places=2)
        self.assertIn("ING 121.2 (August 2021)", line.index_values)
        self.assertIn("130.5 (August 2023)", line.index_values)
        self.assertFalse(line.blocked)
        line_b = self._line(wizard, self.contract_b)
        self.assertAlmostEqual(line_b.amount_after, 639.13, places=2)
        # The missing value is shown, the contract cannot be applied.
        late = self._line(wizard, self.contract_late)
        self.assertTrue(late.blocked)
        self.assertEqual(late.blocked_reason, "index LATE for 2023-08 missing")
        self.assertIn("LATE 100 (August 2021) → ? (August 2023)", late.index_values)
        self.assertEqual(wizard.blocked_count, 1)
        self.assertEqual(wizard.to_apply_count, 2)

    def test_manager_applies_the_ticked_contracts(self):
        wizard = self._wizard(self.contracts, user=self.manager)
        self._line(wizard, self.contract_b).to_apply = False
        action = wizard.action_apply()
        revisions = self.env["service.contract.revision"].search(
            [("contract_id", "in", self.contracts.ids)]
        )
        self.assertEqual(revisions.contract_id, self.contract_a)
        self.assertEqual(action["domain"], [("id", "in", revisions.ids)])
        self.assertEqual(revisions.kind, "index")
        self.assertAlmostEqual(revisions.coefficient, 1.065223, places=6)
        self.assertAlmostEqual(self.contract_a.line_ids.price_unit, 1278.27, places=2)
        self.assertAlmostEqual(self.contract_b.line_ids.price_unit, 600.0, places=2)
        self.assertAlmostEqual(self.contract_late.line_ids.price_unit, 1200.0, places=2)
        self.assertEqual(self.contract_a.revision_count, 1)
        self.assertEqual(self.contract_a.revision_date, date(2024, 9, 1))

    def test_negotiated_percentage_instead_of_the_index(self):
        wizard = self._wizard(
            self.contract_a | self.contract_late,
            user=self.manager,
            kind="percentage",
            percentage=2.5,
        )
        line = self._line(wizard, self.contract_a)
        self.assertAlmostEqual(line.coefficient, 1.025, places=6)
        self.assertAlmostEqual(line.amount_after, 1230.0, places=2)
        # No index needed: the contract waiting for a value can be revised.
        self.assertFalse(self._line(wizard, self.contract_late).blocked)
        wizard.action_apply()
        revisions = self.env["service.contract.revision"].search(
            [("contract_id", "in", self.contracts.ids)]
        )
        self.assertEqual(revisions.contract_id, self.contract_a | self.contract_late)
        self.assertEqual(set(revisions.mapped("kind")), {"percentage"})
        self.assertEqual(set(revisions.mapped("percentage")), {2.5})
        self.assertAlmostEqual(self.contract_a.line_ids.price_unit, 1230.0, places=2)
        self.assertAlmostEqual(self.contract_late.line_ids.price_unit, 1230.0, places=2)

    def test_blocked_contract_is_never_applied(self):
        wizard = self._wizard(self.contract_late, user=self.manager)
        line = wizard.line_ids
        self.assertTrue(line.blocked)
        line.to_apply = True
        self.assertRefused(UserError, "Nothing to revise", wizard.action_apply)
        self.assertFalse(self.contract_late.revision_ids)
        self.assertAlmostEqual(self.contract_late.line_ids.price_unit, 1200.0, places=2)

    def test_contract_not_due_is_shown_not_applied(self):
        wizard = self._wizard(self.contract_a, user=self.manager)
        wizard.date = date(2023, 8, 31)
        line = wizard.line_ids
        self.assertTrue(line.blocked)
        self.assertIn("next revision", line.blocked_reason)
        self.assertRefused(UserError, "Nothing to revise", wizard.action_apply)

    def test_nothing_ticked_is_refused(self):
        wizard = self._wizard(self.contract_a, user=self.manager)
        wizard.line_ids.to_apply = False
        self.assertRefused(UserError, "Nothing to revise", wizard.action_apply)

    def test_percentage_of_minus_100_or_less_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "above -100"):
            self._wizard(
                self.contract_a, user=self.manager, kind="percentage", percentage=-100
            )

    def test_contract_user_is_refused(self):
        with self.assertRaises(AccessError):
            self._wizard(self.contract_a, user=self.contract_user)
        with self.assertRaises(AccessError):
            self.contract_a.with_user(self.contract_user).action_open_revision_wizard()
        # Nor can a wizard prepared by a manager be applied by the user.
        wizard = self._wizard(self.contract_a, user=self.manager)
        self.assertRefused(
            AccessError, "managers", wizard.with_user(self.contract_user).action_apply
        )
        self.assertAlmostEqual(self.contract_a.line_ids.price_unit, 1200.0, places=2)
        self.assertFalse(self.contract_a.revision_ids)

    def test_action_from_the_form_and_the_list(self):
        action = self.contract_a.with_user(self.manager).action_open_revision_wizard()
        self.assertEqual(action["res_model"], "service.contract.revision.wizard")
        self.assertEqual(action["context"]["active_ids"], self.contract_a.ids)
        binding = self.env.ref(
            "service_contract.service_contract_revision_wizard_action"
        )
        self.assertEqual(binding.binding_model_id.model, "service.contract")
        self.assertIn(
            self.env.ref("service_contract.group_service_contract_manager"),
            binding.groups_id,
        )
