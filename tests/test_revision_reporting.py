from datetime import date

from odoo.tests import tagged

from .common import RevisionUiCase


@tagged("post_install", "-at_install")
class TestRevisionReporting(RevisionUiCase):
    """Revisions per month with their average coefficient, the history on
    the contract, and the contracts blocked by a missing index value in
    the Alerts list."""

    def _revise(self, contracts):
        """Revise on each contract's revision date, by its clause."""
        return contracts._apply_revisions(contracts._get_revision_proposals())

    def test_revisions_per_month_with_average_coefficient(self):
        contract_a = self._create_revised_contract()
        contract_b = self._create_revised_contract(price=600.0)
        contract_c = self._create_revised_contract(
            date_start=date(2022, 10, 1), revision_date=date(2023, 10, 1)
        )
        self._revise(contract_a | contract_b)
        contract_c._apply_revisions(contract_c._get_percentage_proposals(3.0))
        Revision = self.env["service.contract.revision"].with_user(self.manager)
        groups = Revision._read_group(
            [("contract_id", "in", (contract_a | contract_b | contract_c).ids)],
            ["date:month"],
            ["__count", "coefficient:avg", "amount_before:sum", "amount_after:sum"],
        )
        self.assertEqual(
            [
                (month, count, round(coefficient, 6), before, after)
                for month, count, coefficient, before, after in groups
            ],
            [
                (date(2023, 9, 1), 2, 1.065223, 1800.0, 1917.4),
                (date(2023, 10, 1), 1, 1.03, 1200.0, 1236.0),
            ],
        )
        # The pivot's measure averages the coefficient.
        self.assertEqual(Revision._fields["coefficient"].aggregator, "avg")
        action = self.env.ref(
            "service_contract.service_contract_revision_action_report"
        )
        self.assertIn("pivot", action.view_mode)
        self.assertIn("graph", action.view_mode)
        menu = self.env.ref("service_contract.service_contract_revision_menu_report")
        self.assertEqual(
            menu.parent_id,
            self.env.ref("service_contract.service_contract_menu_reporting"),
        )
        self.assertEqual(
            menu.parent_id.groups_id,
            self.env.ref("service_contract.group_service_contract_manager"),
        )

    def test_history_on_the_contract(self):
        contract = self._create_revised_contract()
        self.assertEqual(contract.revision_count, 0)
        revision = self._revise(contract)
        contract.invalidate_recordset(["revision_count"])
        self.assertEqual(contract.revision_count, 1)
        action = contract.action_view_revisions()
        self.assertEqual(action["res_model"], "service.contract.revision")
        self.assertEqual(
            self.env["service.contract.revision"].search(action["domain"]), revision
        )

    def test_blocked_revision_in_the_alerts_with_what_to_do(self):
        contract = self._create_revised_contract(index=self.late_index)
        ok = self._create_revised_contract()
        # The scheduled action finds the value of August 2023 missing.
        self.assertFalse(contract._revise_prices(date(2023, 9, 15)))
        self.assertTrue(contract.revision_blocked)
        self.env.flush_all()
        alerts = (
            self.env["service.contract.alert"]
            .with_user(self.contract_user)
            .search(
                [
                    ("kind", "=", "revision_blocked"),
                    ("contract_id", "in", (contract | ok).ids),
                ]
            )
        )
        self.assertEqual(alerts.contract_id, contract)
        self.assertEqual(alerts.date, date(2023, 9, 1))
        self.assertIn("index LATE for 2023-08 missing", alerts.action)
        self.assertIn("Price Indices", alerts.action)
        self.assertEqual(alerts.action_open()["res_id"], contract.id)
        # Once the value is entered, the contract is revised: the alert goes.
        self.env["service.price.index.value"].create(
            {"index_id": self.late_index.id, "date": date(2023, 8, 1), "value": 104.0}
        )
        self.assertTrue(contract._revise_prices(date(2023, 9, 16)))
        self.env.flush_all()
        self.assertFalse(
            self.env["service.contract.alert"].search(
                [("kind", "=", "revision_blocked"), ("contract_id", "=", contract.id)]
            )
        )
