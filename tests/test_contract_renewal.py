from datetime import date

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import ServiceContractCase


@tagged("post_install", "-at_install")
class TestContractRenewal(ServiceContractCase):
    """The renewed terms of a contract, one row each, written by the renewal
    and read by the MRR movement."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Started on 31 January for a month, renewed by the month: the 31st
        # does not exist in February, so the terms start on the 1st.
        cls.contract = cls._create_running_contract(
            date_start=date(2025, 1, 31),
            duration=1,
            duration_unit="month",
            renewal_type="tacit",
            renewal_duration=1,
            renewal_unit="month",
            notice_period=10,
            notice_unit="day",
            invoicing_frequency="month",
            line_ids=[Command.create({"name": "Maintenance", "price_unit": 100.0})],
        )

    def _terms(self, contract):
        return [(r.number, r.date_start) for r in contract.renewal_ids]

    def test_renewals_recorded_one_per_term(self):
        self.contract._process_terms(date(2025, 3, 2))
        self.assertEqual(self._terms(self.contract), [(1, date(2025, 3, 1))])
        # Caught up over two more terms: numbered on, each term's first day.
        self.contract._process_terms(date(2025, 5, 2))
        self.assertEqual(self.contract.renewal_count, 3)
        self.assertEqual(
            self._terms(self.contract),
            [(1, date(2025, 3, 1)), (2, date(2025, 4, 1)), (3, date(2025, 5, 1))],
        )
        self.assertEqual(
            self.contract.renewal_ids[-1].date_start, self.contract.date_term_start
        )
        # The MRR movement shows one "renewed" line per term, on its first day.
        lines = self.env["service.contract.mrr.report"].search(
            [("contract_id", "=", self.contract.id), ("movement", "=", "renewed")],
            order="date",
        )
        self.assertEqual(
            lines.mapped("date"),
            [date(2025, 3, 1), date(2025, 4, 1), date(2025, 5, 1)],
        )
        self.assertEqual(lines.mapped("mrr"), [100.0] * 3)

    def test_copy_starts_without_renewals(self):
        self.contract._process_terms(date(2025, 4, 2))
        copy = self.contract.copy()
        self.assertEqual(copy.renewal_count, 0)
        self.assertFalse(copy.renewal_ids)
        self.assertEqual(len(self.contract.renewal_ids), 2)

    def test_backfill_of_contracts_renewed_before(self):
        """A database whose contracts were renewed before the renewals were
        recorded: the module's update writes them, as the renewals would
        have, and leaves the contracts already complete alone."""
        self.contract._process_terms(date(2025, 5, 2))
        other = self._create_running_contract(
            date_start=date(2024, 2, 29), duration=1, renewal_duration=1
        )
        other._process_terms(date(2026, 3, 2))
        expected = self._terms(self.contract)
        kept = other.renewal_ids
        Renewal = self.env["service.contract.renewal"]
        # As before the table existed: the first contract's rows are missing.
        self.env.cr.execute(
            "DELETE FROM service_contract_renewal WHERE contract_id = %s",
            [self.contract.id],
        )
        self.env.invalidate_all()
        self.assertFalse(self.contract.renewal_ids)
        Renewal.init()
        self.assertEqual(self._terms(self.contract), expected)
        self.assertEqual(other.renewal_ids, kept)
        self.assertEqual(
            self._terms(other), [(1, date(2025, 3, 1)), (2, date(2026, 3, 1))]
        )
        # Idempotent.
        rows = Renewal.search([])
        Renewal.init()
        self.assertEqual(Renewal.search([]), rows)

    def test_contract_user_reads_renewals_never_writes_them(self):
        user = new_test_user(
            self.env,
            login="renewal_contract_user",
            groups="service_contract.group_service_contract_user",
        )
        self.contract._process_terms(date(2025, 3, 2))
        contract = self.contract.with_user(user)
        self.assertEqual(contract.renewal_ids.mapped("number"), [1])
        with self.assertRaises(AccessError):
            contract.env["service.contract.renewal"].create(
                {
                    "contract_id": contract.id,
                    "number": 2,
                    "date_start": date(2025, 4, 1),
                }
            )
