from collections import defaultdict
from datetime import date

from lxml import etree

from odoo import Command
from odoo.tests import new_test_user, tagged
from odoo.tools import date_utils

from odoo.addons.service_contract.models.service_lifecycle_guard import (
    lifecycle_write,
)

from .common import ServiceContractCase


@tagged("post_install", "-at_install")
class TestRecurringRevenue(ServiceContractCase):
    """Monthly recurring revenue (MRR) of a contract and its movement."""

    def _mrr_movement(self, contracts, date_from, date_to):
        """Monthly MRR movement of ``contracts`` (company currency), read
        from the MRR movement report as its pivot groups it (month, then
        movement): one dict per month, oldest first, with ``date``,
        ``mrr_start`` (MRR in force the day before), ``new``, ``renewed``
        (MRR renewed, which does not change the total), ``revised``,
        ``terminated`` and ``mrr`` (MRR in force at the end of the month)
        and ``arr`` (12 x ``mrr``)."""
        report = self.env["service.contract.mrr.report"]
        domain = [("contract_id", "in", contracts.ids)]
        opening = report._read_group(
            domain + [("date", "<", date_from)], [], ["mrr_change:sum"]
        )[0][0]
        moves = defaultdict(
            lambda: dict.fromkeys(("new", "renewed", "revised", "terminated"), 0.0)
        )
        for month, movement, mrr, change in report._read_group(
            domain + [("date", ">=", date_from), ("date", "<=", date_to)],
            ["date:month", "movement"],
            ["mrr:sum", "mrr_change:sum"],
        ):
            moves[month][movement] += mrr if movement == "renewed" else change
        currency = self.env.company.currency_id
        result = []
        month = date_from
        mrr = opening or 0.0
        while month <= date_to:
            figures = moves[month]
            start = mrr
            mrr += figures["new"] + figures["revised"] + figures["terminated"]
            result.append(
                {
                    "date": month,
                    "mrr_start": currency.round(start),
                    **{key: currency.round(value) for key, value in figures.items()},
                    "mrr": currency.round(mrr),
                    "arr": currency.round(mrr * 12),
                }
            )
            month = date_utils.add(month, months=1)
        return result

    @classmethod
    def _contract(cls, start, frequency, price, sign=True, **values):
        return cls._create_contract(
            date_start=start,
            invoicing_frequency=frequency,
            line_ids=[Command.create({"name": "Maintenance", "price_unit": price})],
            sign=sign,
            **values,
        )

    def test_amount_monthly_normalised(self):
        yearly = self._contract(date(2025, 1, 1), "year", 1200.0, sign=False)
        quarterly = self._contract(date(2025, 1, 1), "quarter", 300.0, sign=False)
        half = self._contract(date(2025, 1, 1), "semester", 900.0, sign=False)
        monthly = self._contract(date(2025, 1, 1), "month", 75.0, sign=False)
        self.assertEqual(yearly.amount_monthly, 100.0)
        self.assertEqual(quarterly.amount_monthly, 100.0)
        self.assertEqual(half.amount_monthly, 150.0)
        self.assertEqual(monthly.amount_monthly, 75.0)
        # Follows the services and the frequency.
        yearly.line_ids.price_unit = 2400.0
        self.assertEqual(yearly.amount_monthly, 200.0)
        yearly.invoicing_frequency = "quarter"
        self.assertEqual(yearly.amount_monthly, 800.0)

    def test_amount_monthly_in_another_currency(self):
        """Converted at the rate of the start of the current term."""
        currency = self.env.ref("base.EUR")
        if currency == self.company.currency_id:
            currency = self.env.ref("base.USD")
        currency.active = True
        self.env["res.currency.rate"].create(
            [
                {
                    "name": date(2025, 1, 1),
                    "company_rate": 2.0,
                    "currency_id": currency.id,
                    "company_id": self.company.id,
                },
                {
                    "name": date(2025, 6, 1),
                    "company_rate": 4.0,
                    "currency_id": currency.id,
                    "company_id": self.company.id,
                },
            ]
        )
        contract = self._contract(
            date(2025, 2, 1), "year", 2400.0, sign=False, currency_id=currency.id
        )
        # 2,400.00 a year is 200.00 a month, at 2 units per company unit.
        self.assertEqual(contract.currency_id, currency)
        self.assertEqual(contract.amount_monthly, 100.0)

    def test_mrr_movement_over_twelve_months(self):
        """A scripted history: the monthly figures of 2025, exactly."""
        # In force before 2025: 100 + 50 + 100 = 250.00 a month.
        renewed = self._contract(
            date(2024, 3, 1),
            "year",
            1200.0,
            duration=1,
            renewal_duration=1,
        )
        terminated = self._contract(date(2024, 6, 1), "month", 50.0)
        expired = self._contract(
            date(2024, 1, 10), "semester", 600.0, duration=1, renewal_type="none"
        )
        # Draft and cancelled contracts never count.
        self._contract(date(2025, 4, 1), "month", 999.0, sign=False)
        # January: the contract without renewal ends on 9 January.
        expired._process_terms(date(2025, 1, 10))
        self.assertEqual(expired.state, "closed")
        # February: a new contract from 15 February, 300.00 a quarter.
        new = self._contract(date(2025, 2, 15), "quarter", 300.0)
        # March: renewed tacitly for a year on 1 March.
        renewed._process_terms(date(2025, 3, 1))
        self.assertEqual(renewed.renewal_count, 1)
        self.assertEqual(renewed.date_term_start, date(2025, 3, 1))
        # May: terminated, last day 20 May.
        terminated._terminate(date(2025, 5, 20), "agreement", "Moving out")
        self.assertEqual(terminated.state, "closed")
        revision = "service.contract.revision" in self.env
        if revision:
            # July: a price revision of the renewed contract, 1,200 -> 1,320.
            self._revise(renewed, date(2025, 7, 1), 1200.0, 1320.0)

        # Demo contracts live in the same company: only these ones count.
        contracts = self.env["service.contract"].search(
            [("partner_id", "=", self.customer.id)]
        )
        months = self._mrr_movement(contracts, date(2025, 1, 1), date(2025, 12, 31))
        self.assertEqual(len(months), 12)
        self.assertEqual(months[0]["date"], date(2025, 1, 1))
        self.assertEqual(months[0]["mrr_start"], 250.0)
        figures = {
            row["date"].month: (
                row["new"],
                row["renewed"],
                row["revised"],
                row["terminated"],
                row["mrr"],
            )
            for row in months
        }
        after_revision = 210.0 if revision else 200.0
        self.assertEqual(
            figures,
            {
                1: (0.0, 0.0, 0.0, -100.0, 150.0),
                2: (100.0, 0.0, 0.0, 0.0, 250.0),
                3: (0.0, 100.0, 0.0, 0.0, 250.0),
                4: (0.0, 0.0, 0.0, 0.0, 250.0),
                5: (0.0, 0.0, 0.0, -50.0, 200.0),
                6: (0.0, 0.0, 0.0, 0.0, 200.0),
                7: (0.0, 0.0, 10.0 if revision else 0.0, 0.0, after_revision),
                **{
                    month: (0.0, 0.0, 0.0, 0.0, after_revision)
                    for month in range(8, 13)
                },
            },
        )
        self.assertEqual(months[-1]["arr"], after_revision * 12)
        # MRR now: the running contracts' MRR, whatever their history.
        running = renewed | new
        mrr_now = self.env["service.contract.mrr.report"]._read_group(
            [("contract_id", "in", contracts.ids), ("date", "<=", date(2026, 1, 1))],
            [],
            ["mrr_change:sum"],
        )[0][0]
        self.assertEqual(mrr_now, sum(running.mapped("amount_monthly")))
        # The report behind the figures: one line per event of a contract.
        lines = self.env["service.contract.mrr.report"].search(
            [("contract_id", "=", terminated.id)], order="date"
        )
        self.assertEqual(
            [(line.date, line.movement, line.mrr_change) for line in lines],
            [
                (date(2024, 6, 1), "new", 50.0),
                (date(2025, 5, 21), "terminated", -50.0),
            ],
        )

    def test_renewal_dates_follow_the_term_rules(self):
        """Renewals of a contract started on 29 February start on 1 March,
        as the contract's own term arithmetic says."""
        contract = self._contract(
            date(2024, 2, 29),
            "year",
            1200.0,
            duration=1,
            renewal_duration=1,
        )
        contract._process_terms(date(2026, 3, 2))
        self.assertEqual(contract.renewal_count, 2)
        lines = self.env["service.contract.mrr.report"].search(
            [("contract_id", "=", contract.id), ("movement", "=", "renewed")],
            order="date",
        )
        self.assertEqual(lines.mapped("date"), [date(2025, 3, 1), date(2026, 3, 1)])
        self.assertEqual(lines[-1].date, contract.date_term_start)

    def _revise(self, contract, day, before, after):
        """A price revision as the revision feature records it."""
        with lifecycle_write():
            contract.line_ids.price_unit = after
        revisions = self.env["service.contract.revision"]
        vals = {
            "contract_id": contract.id,
            "date": day,
            "amount_before": before,
            "amount_after": after,
            "kind": "percentage",
            "percentage": (after - before) * 100 / before,
            "coefficient": after / before,
        }
        revisions.create({k: v for k, v in vals.items() if k in revisions._fields})

    def test_mrr_level_every_month(self):
        """The monthly report: the MRR in force at the end of every month,
        months without any change included, and the movements beside it,
        as a contract manager reads it."""
        yearly = self._contract(date(2024, 11, 1), "year", 1200.0)
        monthly = self._contract(date(2025, 2, 15), "month", 50.0)
        monthly._terminate(date(2025, 5, 20), "agreement", "Moving out")
        revision = "service.contract.revision" in self.env
        if revision:
            self._revise(yearly, date(2025, 7, 1), 1200.0, 1320.0)
        manager = new_test_user(
            self.env,
            login="sc_mrr_month_manager",
            groups="base.group_user,service_contract.group_service_contract_manager",
        )
        report = self.env["service.contract.mrr.month.report"].with_user(manager)
        rows = report._read_group(
            [
                ("contract_id", "in", (yearly | monthly).ids),
                ("date", "<=", date(2025, 8, 31)),
            ],
            ["date:month"],
            ["mrr:sum", "mrr_new:sum", "mrr_revised:sum", "mrr_terminated:sum"],
        )
        revised = 10.0 if revision else 0.0
        self.assertEqual(
            [(month, *figures) for month, *figures in rows],
            [
                # month, MRR in force at its end, new, revised, lost
                (date(2024, 11, 1), 100.0, 100.0, 0.0, 0.0),
                (date(2024, 12, 1), 100.0, 0.0, 0.0, 0.0),
                (date(2025, 1, 1), 100.0, 0.0, 0.0, 0.0),
                (date(2025, 2, 1), 150.0, 50.0, 0.0, 0.0),
                (date(2025, 3, 1), 150.0, 0.0, 0.0, 0.0),
                (date(2025, 4, 1), 150.0, 0.0, 0.0, 0.0),
                (date(2025, 5, 1), 100.0, 0.0, 0.0, -50.0),
                (date(2025, 6, 1), 100.0, 0.0, 0.0, 0.0),
                (date(2025, 7, 1), 100.0 + revised, 0.0, revised, 0.0),
                (date(2025, 8, 1), 100.0 + revised, 0.0, 0.0, 0.0),
            ],
        )
        # A line per contract and month: none for the terminated contract
        # after its last month; the running one goes on to the company's
        # current month.
        lines = report.search([("contract_id", "=", monthly.id)], order="date")
        self.assertEqual(
            lines.mapped("date"),
            [date(2025, month, 1) for month in (2, 3, 4, 5)],
        )
        today = self.env.company._service_today()
        last = report.search([("contract_id", "=", yearly.id)], limit=1)
        self.assertEqual(last.date, today.replace(day=1))
        self.assertEqual(last.arr, 12 * last.mrr)

    def test_contract_list_totals_mean_something(self):
        """The contract list adds up only the MRR in force, in the company's
        currency: not the prices per period (monthly, quarterly, yearly),
        nor drafts or cancelled contracts."""
        running = self._contract(date(2025, 1, 1), "quarter", 300.0)
        draft = self._contract(date(2025, 1, 1), "month", 999.0, sign=False)
        cancelled = self._contract(date(2025, 1, 1), "month", 50.0, sign=False)
        cancelled.action_cancel()
        self.assertEqual(running.amount_mrr, 100.0)
        self.assertEqual((draft | cancelled).mapped("amount_mrr"), [0.0, 0.0])
        contracts = running | draft | cancelled
        total = self.env["service.contract"]._read_group(
            [("id", "in", contracts.ids)], [], ["amount_mrr:sum"]
        )[0][0]
        self.assertEqual(total, 100.0)
        # The list's totals: the MRR in force only; a grouped list shows no
        # sum of prices per period either.
        arch = self.env["service.contract"].get_view(view_type="list")["arch"]
        summed = {
            node.get("name")
            for node in etree.fromstring(arch).iter("field")
            if node.get("sum")
        }
        self.assertIn("amount_mrr", summed)
        self.assertLessEqual(summed, {"amount_mrr", "margin"})
        self.assertNotIn("amount_untaxed", summed)
        self.assertFalse(
            self.env["service.contract"]._fields["amount_untaxed"].aggregator
        )
        for name in summed:
            field = self.env["service.contract"]._fields[name]
            self.assertEqual(field.currency_field, "company_currency_id", name)
            self.assertTrue(field.store, name)

    def test_profitability_opens_on_contracts_by_margin(self):
        """The profitability analysis opens on its contracts, the least
        profitable first, not on months times four measures."""
        arch = etree.fromstring(
            self.env["service.contract.profitability.report"].get_view(
                view_type="pivot"
            )["arch"]
        )
        self.assertEqual(arch.get("default_order"), "margin asc")
        rows = [f.get("name") for f in arch.iter("field") if f.get("type") == "row"]
        cols = [f.get("name") for f in arch.iter("field") if f.get("type") == "col"]
        self.assertEqual((rows, cols), (["contract_id"], []))
        self.assertIn(
            "margin",
            [f.get("name") for f in arch.iter("field") if f.get("type") == "measure"],
        )
