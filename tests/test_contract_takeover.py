"""Taking over contracts already running in a customer's former tool
(README.md, "Bringing existing contracts in"): signed and started in the
past, their billing periods invoiced before the takeover are marked invoiced
elsewhere and never invoiced again, their visits planned from today."""

from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from ..models.service_lifecycle_guard import lifecycle_write
from .common import InvoicingCase, PriceRevisionCase, create_contract

TODAY = "2026-12-10"


@tagged("post_install", "-at_install")
class TestContractTakeover(InvoicingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.plan_template = cls.env["service.contract.template"].create(
            {
                "name": "Quarterly visits",
                "duration": 1,
                "duration_unit": "year",
                "renewal_type": "tacit",
                "renewal_duration": 1,
                "renewal_unit": "year",
                "notice_period": 1,
                "notice_unit": "month",
                "invoicing_frequency": "quarter",
                "invoicing_mode": "advance",
                "prorata": True,
                "line_ids": [Command.create({"product_id": cls.product.id})],
                "visit_plan_ids": [
                    Command.create(
                        {
                            "name": "Quarterly check",
                            "frequency_type": "interval",
                            "interval": 3,
                            "interval_unit": "month",
                        }
                    )
                ],
            }
        )

    def _draft(self, start, template=None, **values):
        return create_contract(
            self.env,
            self.customer,
            template=template or self.template,
            date_start=start,
            **values,
        )

    def _states(self, contract):
        return [
            (p.date_from, p.invoice_date, p.state)
            for p in contract.period_ids.sorted("date_from")
        ]

    @freeze_time(TODAY)
    def test_monthly_in_advance(self):
        contract = self._draft(date(2024, 1, 15))
        contract._take_over(date(2026, 12, 1), reference="OLD-1")
        self.assertEqual(contract.state, "running")
        self.assertEqual(contract.date_signed, date(2024, 1, 15))
        # Renewed tacitly twice: the current term covers today.
        self.assertEqual(contract.renewal_count, 2)
        self.assertEqual(contract.date_end, date(2027, 1, 14))
        periods = contract.period_ids.sorted("date_from")
        # As if signed in Odoo and renewed by the daily action: the first
        # term (2024-01-15..31, each month, 2025-01-01..14), then the
        # renewals in one go (2025-01-15..31, each month, 2027-01-01..14).
        self.assertEqual(len(periods), 13 + 25)
        elsewhere = periods.filtered(lambda p: p.state == "elsewhere")
        self.assertEqual(len(elsewhere), 36)
        self.assertEqual(elsewhere[0].date_from, date(2024, 1, 15))
        self.assertEqual(elsewhere[-1].date_from, date(2026, 11, 1))
        self.assertTrue(all(elsewhere.mapped("invoiced_elsewhere")))
        self.assertEqual(set(elsewhere.mapped("invoiced_elsewhere_ref")), {"OLD-1"})
        self.assertFalse(elsewhere.move_id)
        self.assertEqual(
            self._states(contract)[-2:],
            [
                (date(2026, 12, 1), date(2026, 12, 1), "to_invoice"),
                (date(2027, 1, 1), date(2027, 1, 1), "to_invoice"),
            ],
        )
        self.assertEqual(contract.next_invoice_date, date(2026, 12, 1))
        # One line in the chatter says it all.
        logs = contract.message_ids.filtered(lambda m: "taken over" in (m.body or ""))
        self.assertEqual(len(logs), 1)
        # Dates in the reader's format (format_date, English here).
        self.assertIn("before 12/01/2026", logs.body)

    @freeze_time(TODAY)
    def test_yearly_in_arrears(self):
        contract = self._draft(
            date(2023, 1, 1), invoicing_frequency="year", invoicing_mode="arrears"
        )
        contract._take_over(date(2026, 1, 1), date_signed=date(2022, 12, 15))
        self.assertEqual(contract.date_signed, date(2022, 12, 15))
        self.assertEqual(
            self._states(contract),
            [
                (date(2023, 1, 1), date(2024, 1, 1), "elsewhere"),
                (date(2024, 1, 1), date(2025, 1, 1), "elsewhere"),
                (date(2025, 1, 1), date(2026, 1, 1), "to_invoice"),
                (date(2026, 1, 1), date(2027, 1, 1), "to_invoice"),
            ],
        )

    @freeze_time(TODAY)
    def test_quarterly_visits_from_today_only(self):
        contract = self._draft(date(2025, 2, 1), template=self.plan_template)
        contract._take_over(date(2026, 10, 1))
        self.assertEqual(
            self._states(contract),
            [
                (date(2025, 2, 1), date(2025, 2, 1), "elsewhere"),
                (date(2025, 4, 1), date(2025, 4, 1), "elsewhere"),
                (date(2025, 7, 1), date(2025, 7, 1), "elsewhere"),
                (date(2025, 10, 1), date(2025, 10, 1), "elsewhere"),
                (date(2026, 1, 1), date(2026, 1, 1), "elsewhere"),
                (date(2026, 2, 1), date(2026, 2, 1), "elsewhere"),
                (date(2026, 4, 1), date(2026, 4, 1), "elsewhere"),
                (date(2026, 7, 1), date(2026, 7, 1), "elsewhere"),
                (date(2026, 10, 1), date(2026, 10, 1), "to_invoice"),
                (date(2027, 1, 1), date(2027, 1, 1), "to_invoice"),
            ],
        )
        self.assertEqual(contract.date_visits_from, date(2026, 12, 10))
        visits = contract.intervention_ids
        self.assertTrue(visits)
        self.assertGreaterEqual(min(visits.mapped("date_due")), date(2026, 12, 10))

    @freeze_time(TODAY)
    def test_invoicing_cron_bills_only_after_takeover(self):
        contracts = self._draft(date(2024, 1, 15)) | self._draft(
            date(2025, 2, 1), template=self.plan_template
        )
        contracts._take_over(
            {contracts[0].id: date(2026, 12, 1), contracts[1].id: date(2026, 10, 1)}
        )
        self._invoice(date(2026, 12, 10))
        invoiced = contracts.period_ids.filtered("move_id")
        self.assertEqual(
            sorted((p.contract_id.id, p.date_from) for p in invoiced),
            sorted(
                [
                    (contracts[0].id, date(2026, 12, 1)),
                    (contracts[1].id, date(2026, 10, 1)),
                ]
            ),
        )
        # Never billed afterwards either.
        self._invoice(date(2027, 6, 1))
        self.assertFalse(
            contracts.period_ids.filtered(lambda p: p.invoiced_elsewhere and p.move_id)
        )
        self.assertEqual(
            set(contracts.period_ids.filtered("invoiced_elsewhere").mapped("state")),
            {"elsewhere"},
        )

    @freeze_time(TODAY)
    def test_periods_invoiced_elsewhere_are_frozen(self):
        contract = self._draft(date(2024, 1, 15))
        contract._take_over(date(2026, 12, 1))
        period = contract.period_ids.filtered("invoiced_elsewhere")[0]
        self.assertRefused(
            UserError, "cannot be changed", period.write, {"amount": 1.0}
        )
        self.assertRefused(
            UserError, "actions", period.write, {"invoiced_elsewhere": False}
        )
        to_invoice = contract.period_ids.filtered(lambda p: p.state == "to_invoice")
        self.assertRefused(
            UserError, "actions", to_invoice[0].write, {"invoiced_elsewhere": True}
        )

    @freeze_time(TODAY)
    def test_takeover_refuses_signed_contracts_and_late_dates(self):
        running = self._contract(start=date(2026, 1, 15))
        self.assertRefused(
            UserError, running.name, running._take_over, date(2026, 12, 1)
        )
        draft = self._draft(date(2026, 1, 15))
        # Invoiced beyond the current term (ending 2027-01-14).
        self.assertRefused(
            UserError, "after the end", draft._take_over, date(2027, 3, 1)
        )
        self.assertEqual(draft.state, "draft")

    def _yearly_paid_elsewhere(self):
        """Yearly in advance from 2024-03-01, its current year (2026-03-01
        to 2027-02-28) paid to the former tool."""
        contract = self._draft(
            date(2024, 3, 1),
            invoicing_frequency="year",
            invoicing_mode="advance",
            prorata=False,
        )
        contract._take_over(date(2026, 3, 2), reference="OLD-7")
        self.assertEqual(
            [p.state for p in contract.period_ids.sorted("date_from")],
            ["elsewhere"] * 3,
        )
        return contract

    @freeze_time(TODAY)
    def test_termination_credits_nothing_invoiced_elsewhere(self):
        """Terminated within a year paid to the former tool: the period
        stays invoiced elsewhere, no invoice or credit note is made here,
        and the chatter names them apart, with the former invoice's
        reference: crediting an invoice made here would credit the wrong
        one."""
        contract = self._yearly_paid_elsewhere()
        contract._terminate(date(2026, 12, 31), "agreement", "Moving out")
        current = contract.period_ids.sorted("date_from")[-1]
        self.assertEqual(current.state, "elsewhere")
        self.assertEqual(current.date_to, date(2027, 2, 28))
        self._invoice(date(2027, 3, 1))
        self.assertFalse(contract.invoice_ids)
        bodies = " ".join(contract.message_ids.mapped("body"))
        self.assertIn("invoiced elsewhere after the termination date", bodies)
        self.assertIn("03/01/2026 to 02/28/2027 (OLD-7)", bodies)
        self.assertNotIn("already invoiced", bodies)

    @freeze_time(TODAY)
    def test_repricing_bills_only_the_difference_on_periods_elsewhere(self):
        """A change effective in the past (an amendment, a revision) bills
        the periods invoiced elsewhere the difference only, never their
        whole amount again: they keep their amount and state."""
        contract = self._yearly_paid_elsewhere()
        current = contract.period_ids.sorted("date_from")[-1]
        amount = current.amount
        with lifecycle_write():  # as an amendment or a revision applies it
            catch_ups = contract._reprice_periods(
                {contract: date(2026, 3, 1)},
                {contract: amount},
                {contract: amount + 120.0},
            )
        self.assertAlmostEqual(catch_ups[contract], 120.0)
        self.assertEqual(current.state, "elsewhere")
        self.assertEqual(current.amount, amount)
        self.assertAlmostEqual(current.adjustment_amount, 120.0)

    @freeze_time(TODAY)
    def test_takeover_note_shows_the_reference_as_text(self):
        """The reference (an OCA contract's name, a file's column) is text
        in the chatter, never markup."""
        contract = self._draft(date(2026, 1, 15))
        contract._take_over(date(2026, 12, 1), reference='<img src="x">OLD-9')
        log = contract.message_ids.filtered(lambda m: "taken over" in (m.body or ""))
        self.assertIn("&lt;img", log.body)
        self.assertNotIn("<img", log.body)

    @freeze_time(TODAY)
    def test_termination_keeps_periods_invoiced_elsewhere(self):
        """Terminated before the end of what the former tool invoiced: the
        periods invoiced there stay, listed for a credit note; those still to
        invoice after the last day are cancelled."""
        contract = self._draft(date(2024, 1, 15))
        contract._take_over(date(2026, 12, 1))
        contract._terminate(date(2026, 11, 15), "agreement", "Moving out")
        periods = contract.period_ids.sorted("date_from")
        self.assertEqual(
            [(p.date_from, p.state) for p in periods[-3:]],
            [
                (date(2026, 11, 1), "elsewhere"),
                (date(2026, 12, 1), "cancel"),
                (date(2027, 1, 1), "cancel"),
            ],
        )
        self.assertTrue(
            any(
                "credit note" in (body or "")
                for body in contract.message_ids.mapped("body")
            )
        )


@tagged("post_install", "-at_install")
class TestTakeoverRevision(PriceRevisionCase):
    """A period invoiced elsewhere is billed: a revision inside it leaves its
    amount and bills the difference as an adjustment (as for an invoiced
    one), never the period itself."""

    @freeze_time("2023-03-15")
    def test_revision_inside_a_period_invoiced_elsewhere(self):
        contract = self._contract(sign=False)
        contract._take_over(date(2022, 9, 2))
        # The next revision: the anniversary after today.
        self.assertEqual(contract.revision_date, date(2023, 9, 1))
        contract.revision_date = date(2023, 3, 1)
        period = self._period(contract, date(2022, 9, 1))
        self.assertEqual(period.state, "elsewhere")
        self._revise(date(2023, 3, 1))
        self.assertEqual(contract.line_ids.price_unit, 1231.98)
        self.assertEqual(period.amount, 1200.0)
        # 184 days of 365 at 1,231.98 instead of 1,200.00.
        self.assertEqual(period.adjustment_amount, round(31.98 * 184 / 365, 2))
        self.assertEqual(period.state, "elsewhere")
        self._invoice(date(2023, 9, 1))
        self.assertFalse(period.move_id)
        self.assertEqual(self._period(contract, date(2023, 9, 1)).state, "invoiced")
