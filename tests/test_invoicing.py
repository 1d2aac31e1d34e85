from datetime import date

from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import InvoicingCase


@tagged("post_install", "-at_install")
class TestBillingSchedule(InvoicingCase):
    def test_schedule_monthly_in_advance_with_prorata(self):
        contract = self._contract()
        periods = contract.period_ids
        self.assertEqual(len(periods), 13)
        first = periods[0]
        self.assertEqual(
            (first.date_from, first.date_to, first.invoice_date, first.amount),
            (date(2026, 1, 15), date(2026, 1, 31), date(2026, 1, 15), 170.0),
        )
        self.assertAlmostEqual(first.prorata_factor, 17 / 31, places=6)
        self.assertEqual(periods[1].amount, 310.0)
        self.assertEqual(periods[1].invoice_date, date(2026, 2, 1))
        last = periods[-1]
        self.assertEqual(
            (last.date_from, last.date_to), (date(2027, 1, 1), date(2027, 1, 14))
        )
        self.assertEqual(last.amount, 140.0)  # 310 x 14 / 31
        self.assertEqual(sum(periods.mapped("amount")), 3720.0)
        self.assertEqual(contract.amount_annual, 3720.0)
        self.assertEqual(set(periods.mapped("state")), {"to_invoice"})
        self.assertEqual(contract.next_invoice_date, date(2026, 1, 15))

    def test_schedule_in_arrears(self):
        contract = self._contract(invoicing_mode="arrears")
        first = contract.period_ids[0]
        self.assertEqual(first.invoice_date, date(2026, 2, 1))
        self.assertEqual(contract.period_ids[-1].invoice_date, date(2027, 1, 15))

    def test_schedule_quarterly_from_start_without_prorata(self):
        contract = self._contract(
            start=date(2025, 1, 31), invoicing_frequency="quarter", prorata=False
        )
        self.assertEqual(
            [(p.date_from, p.date_to, p.amount) for p in contract.period_ids],
            [
                (date(2025, 1, 31), date(2025, 4, 30), 310.0),
                (date(2025, 5, 1), date(2025, 7, 30), 310.0),
                (date(2025, 7, 31), date(2025, 10, 30), 310.0),
                (date(2025, 10, 31), date(2026, 1, 30), 310.0),
            ],
        )

    def test_schedule_yearly_calendar_feb_29(self):
        contract = self._contract(start=date(2024, 2, 29), invoicing_frequency="year")
        self.assertEqual(
            [(p.date_from, p.date_to, p.amount) for p in contract.period_ids],
            [
                (date(2024, 2, 29), date(2024, 12, 31), 260.03),  # 310 x 307/366
                (date(2025, 1, 1), date(2025, 2, 28), 50.11),  # 310 x 59/365
            ],
        )

    def test_schedule_is_extended_at_renewal(self):
        contract = self._contract()
        self.env["service.contract"]._cron_process_terms(today=date(2027, 1, 15))
        self.assertEqual(contract.renewal_count, 1)
        self.assertEqual(contract.date_end, date(2028, 1, 14))
        periods = contract.period_ids
        self.assertEqual(len(periods), 26)
        self.assertEqual(periods[13].date_from, date(2027, 1, 15))
        self.assertEqual(periods[13].amount, 170.0)
        self.assertEqual(periods[-1].date_to, date(2028, 1, 14))

    def test_no_schedule_before_signature(self):
        contract = self._contract(sign=False)
        self.assertFalse(contract.period_ids)
        contract.action_to_sign()
        self.assertFalse(contract.period_ids)
        contract.action_sign()
        self.assertEqual(len(contract.period_ids), 13)

    def test_termination_cancels_later_periods_and_prorates_current(self):
        contract = self._contract()
        self._invoice(date(2026, 3, 1))
        wizard = (
            self.env["service.contract.terminate"]
            .with_context(default_contract_id=contract.id)
            .create(
                {"date": date(2026, 4, 10), "termination_type": "cause", "reason": "x"}
            )
        )
        wizard.action_confirm()
        periods = contract.period_ids
        self.assertEqual(
            periods.filtered(lambda p: p.state == "invoiced").mapped("amount"),
            [170.0, 310.0, 310.0],
        )
        april = periods.filtered(lambda p: p.date_from == date(2026, 4, 1))
        self.assertEqual(april.date_to, date(2026, 4, 10))
        self.assertEqual(april.amount, 103.33)  # 310 x 10/30
        self.assertEqual(april.state, "to_invoice")
        later = periods.filtered(lambda p: p.date_from > date(2026, 4, 10))
        self.assertEqual(len(later), 9)
        self.assertEqual(set(later.mapped("state")), {"cancel"})

    def test_schedule_line_edits(self):
        contract = self._contract()
        period = contract.period_ids[1]
        period.write({"amount": 300.0, "invoice_date": date(2026, 2, 5)})
        self.assertEqual(period.amount, 300.0)
        self.assertRefused(
            ValidationError, "cannot be negative", period.write, {"amount": -1}
        )
        self.assertEqual(period.amount, 300.0)
        self._invoice(date(2026, 2, 5))
        self.assertEqual(period.state, "invoiced")
        self.assertEqual(period.move_id.amount_untaxed, 300.0)
        self.assertRefused(UserError, "cannot be changed", period.write, {"amount": 10})
        self.assertEqual(period.amount, 300.0)

    def test_one_period_per_contract_and_start(self):
        contract = self._contract()
        first = contract.period_ids[0]
        with (
            self.assertRaises(IntegrityError),
            mute_logger("odoo.sql_db"),
            self.env.cr.savepoint(),
        ):
            self.env["service.contract.period"].create(
                {
                    "contract_id": contract.id,
                    "date_from": first.date_from,
                    "date_to": first.date_to,
                    "invoice_date": first.invoice_date,
                    "amount": 1,
                }
            )

    def test_frequency_longer_than_term_is_refused(self):
        contract = self._contract(sign=False)
        self.assertRefused(
            ValidationError,
            "longer than the firm term",
            contract.write,
            {
                "duration": 3,
                "duration_unit": "month",
                "invoicing_frequency": "semester",
                "notice_period": 0,
            },
        )
        self.assertEqual(contract.invoicing_frequency, "month")


@tagged("post_install", "-at_install")
class TestInvoices(InvoicingCase):
    def test_cron_invoices_due_periods_once(self):
        contract = self._contract()
        other = self._contract(start=date(2026, 2, 1))
        self._invoice(date(2026, 2, 1))
        moves = contract.invoice_ids
        self.assertEqual(len(moves), 2)
        self.assertEqual(sorted(moves.mapped("amount_untaxed")), [170.0, 310.0])
        self.assertEqual(len(other.invoice_ids), 1)
        jan = contract.period_ids[0].move_id
        self.assertEqual(jan.move_type, "out_invoice")
        self.assertEqual(jan.state, "draft")
        self.assertEqual(jan.partner_id, self.customer)
        self.assertEqual(jan.invoice_date, date(2026, 1, 15))
        self.assertEqual(jan.invoice_origin, contract.name)
        self.assertEqual(jan.invoice_payment_term_id, contract.payment_term_id)
        line = jan.invoice_line_ids
        self.assertEqual(line.product_id, self.product)
        self.assertEqual(line.tax_ids, self.tax_sale_a)
        self.assertEqual(line.service_contract_id, contract)
        self.assertIn(contract.name, line.name)
        self.assertIn("01/15/2026 to 01/31/2026", line.name)
        self.assertEqual(jan.service_contract_ids, contract)
        # Twice: nothing new.
        self.assertEqual(self._invoice(date(2026, 2, 1)), 0)
        self.assertEqual(len(contract.invoice_ids), 2)

    def test_invoice_address_of_another_company(self):
        """A quotation made out to a property manager gives its contract an
        invoice address of another company: the contract's invoices go
        there, linked to the contract (the link guard accepts them)."""
        contract = self._contract(partner_invoice_id=self.partner_b.id)
        self.assertEqual(self._invoice(date(2026, 1, 15)), 1)
        invoice = contract.invoice_ids
        self.assertEqual(invoice.partner_id, self.partner_b)
        self.assertEqual(invoice.invoice_line_ids.service_contract_id, contract)
        # Nobody else's invoice can name the contract.
        with self.assertRaises(ValidationError):
            with self.env.cr.savepoint():
                invoice.partner_id = self.env["res.partner"].create({"name": "C"})

    def test_period_label_in_customer_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.customer.lang = "fr_FR"
        contract = self._contract()
        self._invoice(date(2026, 1, 15))
        self.assertIn("15/01/2026", contract.invoice_ids.invoice_line_ids.name)

    def test_group_invoices_per_customer(self):
        first = self._contract(group_invoices=True)
        second = self._contract(group_invoices=True)
        alone = self._contract()
        self._invoice(date(2026, 1, 15))
        self.assertEqual(first.invoice_ids, second.invoice_ids)
        self.assertEqual(len(first.invoice_ids.invoice_line_ids), 2)
        self.assertEqual(first.invoice_ids.amount_untaxed, 340.0)
        self.assertNotEqual(alone.invoice_ids, first.invoice_ids)
        self.assertIn(first.name, first.invoice_ids.invoice_origin)
        self.assertIn(second.name, first.invoice_ids.invoice_origin)

    def test_batches_never_split_a_customer_invoice(self):
        self.env["ir.config_parameter"].set_param(
            "service_contract.invoice_batch_size", 2
        )
        grouped = self.env["service.contract"].union(
            *(self._contract(group_invoices=True) for _i in range(3))
        )
        others = self._contract() | self._contract()
        self.assertEqual(self._invoice(date(2026, 1, 15)), 5)
        self.assertEqual(len(grouped.invoice_ids), 1)
        self.assertEqual(len(grouped.invoice_ids.invoice_line_ids), 3)
        self.assertEqual(len(others.invoice_ids), 2)

    def _reference_invoice(self, move):
        """The same invoice, entered as a user would: amounts left to Odoo."""
        return self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": move.partner_id.id,
                "currency_id": move.currency_id.id,
                "invoice_date": move.invoice_date,
                "journal_id": move.journal_id.id,
                "invoice_payment_term_id": move.invoice_payment_term_id.id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": line.product_id.id,
                            "name": line.name,
                            "account_id": line.account_id.id,
                            "price_unit": line.price_unit,
                            "quantity": line.quantity,
                            "discount": line.discount,
                            "tax_ids": [Command.set(line.tax_ids.ids)],
                        }
                    )
                    for line in move.invoice_line_ids
                ],
            }
        )

    def assertSameAmounts(self, move, reference):
        def amounts(move):
            return sorted(
                (
                    line.display_type,
                    line.account_id.id,
                    line.tax_line_id.id,
                    line.amount_currency,
                    line.balance,
                    line.price_subtotal,
                    line.price_total,
                    tuple(line.tax_tag_ids.ids),
                )
                for line in move.line_ids
            )

        self.assertEqual(amounts(move), amounts(reference))
        self.assertEqual(
            (move.amount_untaxed, move.amount_tax, move.amount_total),
            (reference.amount_untaxed, reference.amount_tax, reference.amount_total),
        )

    def test_invoice_amounts_are_odoo_own(self):
        """The scheduled action gives the line amounts upfront (it spares
        Odoo a write per line): they are exactly what Odoo computes, with
        taxes included in prices, discounts, global rounding, tax report tags
        and prorated prices, on an invoice grouping two contracts."""
        self.env.company.tax_calculation_rounding_method = "round_globally"
        tag = self.env["account.account.tag"].create(
            {
                "name": "Base 20 included",
                "applicability": "taxes",
                "country_id": self.env.company.account_fiscal_country_id.id,
            }
        )
        included = self.env["account.tax"].create(
            {
                "name": "VAT 20% included",
                "amount": 20.0,
                "price_include_override": "tax_included",
                "type_tax_use": "sale",
            }
        )
        included.invoice_repartition_line_ids.filtered(
            lambda r: r.repartition_type == "base"
        ).tag_ids = tag
        lines = [
            Command.create(
                {
                    "product_id": self.product.id,
                    "price_unit": 33.33,
                    "quantity": 3,
                    "discount": 12.5,
                    "tax_ids": [Command.set(included.ids)],
                }
            ),
            Command.create(
                {
                    "product_id": self.product.id,
                    "price_unit": 10.01,
                    "quantity": 7,
                    "tax_ids": [Command.set(self.tax_sale_a.ids)],
                }
            ),
            Command.create(
                {
                    "name": "Call-out fee",
                    "price_unit": 19.99,
                    "tax_ids": [Command.set(included.ids)],
                }
            ),
        ]
        first = self._contract(group_invoices=True, line_ids=lines)
        second = self._contract(group_invoices=True, line_ids=lines)
        self._invoice(date(2026, 2, 1))
        january, february = first.period_ids[:2].move_id
        self.assertEqual(second.invoice_ids, january | february)
        # 33.33 x 17/31 for the 17 days of January.
        self.assertEqual(january.invoice_line_ids[0].price_unit, 18.28)
        self.assertIn(tag, january.invoice_line_ids.tax_tag_ids)
        for move in january | february:
            self.assertEqual(len(move.invoice_line_ids), 6)
            self.assertSameAmounts(move, self._reference_invoice(move))

    def test_invoice_in_foreign_currency(self):
        other_currency = self.setup_other_currency("EUR")
        contract = self._contract(currency_id=other_currency.id)
        self._invoice(date(2026, 1, 15))
        move = contract.invoice_ids
        self.assertEqual(move.currency_id, other_currency)
        self.assertEqual(move.amount_untaxed, 170.0)
        self.assertSameAmounts(move, self._reference_invoice(move))

    def test_invoice_lines_get_analytic_distribution(self):
        plan = self.env["account.analytic.plan"].create({"name": "Customers"})
        analytic = self.env["account.analytic.account"].create(
            {"name": "Customer A", "plan_id": plan.id}
        )
        self.env["account.analytic.distribution.model"].create(
            {
                "partner_id": self.customer.id,
                "analytic_distribution": {str(analytic.id): 100},
            }
        )
        contract = self._contract()
        self._invoice(date(2026, 1, 15))
        self.assertEqual(
            contract.invoice_ids.invoice_line_ids.analytic_distribution,
            {str(analytic.id): 100},
        )

    def test_failing_contract_gets_activity_others_are_invoiced(self):
        broken_product = self._create_product(
            name="Broken", type="service", lst_price=50.0
        )
        broken_product.property_account_income_id = False
        broken_product.categ_id.property_account_income_categ_id = False
        good = self._contract()
        broken = self._contract(
            line_ids=[Command.create({"product_id": broken_product.id})]
        )
        self._invoice(date(2026, 1, 15))
        self.assertEqual(len(good.invoice_ids), 1)
        self.assertFalse(broken.invoice_ids)
        activity = broken.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.summary, "Invoicing failed")
        self.assertIn("No income account", activity.note)
        self.assertEqual(activity.user_id, broken.user_id)
        # Not duplicated on the next run.
        self._invoice(date(2026, 1, 16))
        self.assertEqual(len(broken.activity_ids), 1)

    def test_create_invoices_now(self):
        contract = self._contract(start=date(2025, 12, 1))
        action = contract.action_create_invoices()
        self.assertEqual(action["res_model"], "account.move")
        self.assertTrue(contract.invoice_ids)
        self.assertRefused(UserError, "Nothing is due", contract.action_create_invoices)

    def test_invoicing_draft_or_cancelled_is_refused(self):
        draft = self._contract(sign=False)
        self.assertRefused(
            UserError, "Only signed contracts", draft.action_create_invoices
        )
        draft.action_cancel()
        self.assertRefused(
            UserError, "Only signed contracts", draft.action_create_invoices
        )
        self.assertFalse(draft.invoice_ids)

    def test_deleted_draft_invoice_releases_its_period(self):
        contract = self._contract()
        self._invoice(date(2026, 1, 15))
        period = contract.period_ids[0]
        period.move_id.unlink()
        self.assertEqual(period.state, "to_invoice")
        self._invoice(date(2026, 1, 15))
        self.assertEqual(period.state, "invoiced")

    def test_payment_follow_up(self):
        contract = self._contract(start=date(2025, 12, 1))
        self._invoice(date(2026, 1, 1))
        moves = contract.invoice_ids.sorted("invoice_date")
        moves.action_post()
        contract.invalidate_recordset()
        self.assertEqual(contract.amount_invoiced, 2 * 310.0 * 1.15)
        self.assertEqual(contract.amount_due, contract.amount_invoiced)
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=moves[0].ids
        ).create({"payment_date": date(2026, 1, 5)})._create_payments()
        contract.invalidate_recordset()
        self.assertEqual(moves[0].payment_state in ("paid", "in_payment"), True)
        self.assertAlmostEqual(contract.amount_paid, 356.5)
        self.assertAlmostEqual(contract.amount_due, 356.5)
        self.assertAlmostEqual(contract.amount_overdue, 356.5)
        self.assertEqual(contract.overdue_invoice_ids, moves[1])
        self.assertTrue(contract.is_late_payer)
        late = self.env["service.contract"].search([("is_late_payer", "=", True)])
        self.assertIn(contract, late)
        on_time = self._contract(start=date(2026, 1, 1))
        self.assertNotIn(on_time, late)
        self.assertIn(
            on_time,
            self.env["service.contract"].search([("is_late_payer", "=", False)]),
        )


@tagged("post_install", "-at_install")
class TestSaleOrder(InvoicingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.product.service_contract_template_id = cls.template

    def _order(self):
        return self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": self.product.id,
                            "price_unit": 290.0,
                            "discount": 10,
                        }
                    ),
                    Command.create({"product_id": self.product_a.id}),
                ],
            }
        )

    def test_confirming_quotation_creates_contract(self):
        order = self._order()
        order.action_confirm()
        contract = order.service_contract_ids
        self.assertEqual(len(contract), 1)
        self.assertEqual(contract.state, "to_sign")
        self.assertEqual(contract.template_id, self.template)
        self.assertEqual(contract.partner_id, self.customer)
        self.assertEqual(contract.partner_invoice_id, order.partner_invoice_id)
        self.assertEqual(contract.currency_id, order.currency_id)
        self.assertEqual(contract.sale_order_id, order)
        line = contract.line_ids
        self.assertEqual(len(line), 1)
        self.assertEqual((line.price_unit, line.discount), (290.0, 10.0))
        self.assertEqual(line.tax_ids, order.order_line[0].tax_id)
        self.assertEqual(contract.amount_untaxed, 261.0)
        self.assertEqual(order.service_contract_count, 1)
        action = order.action_view_service_contracts()
        self.assertEqual(action["res_id"], contract.id)
        # Confirming again (e.g. after a cancel / draft) creates nothing new.
        order._create_service_contracts()
        self.assertEqual(len(order.service_contract_ids), 1)

    def test_template_without_signature_runs_at_once(self):
        self.template.signature_required = False
        order = self._order()
        order.action_confirm()
        contract = order.service_contract_ids
        self.assertEqual(contract.state, "running")
        self.assertTrue(contract.period_ids)

    def test_quotation_report_shows_contract_terms(self):
        order = self._order()
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("sale.action_report_saleorder", order.ids)[0]
            .decode()
        )
        self.assertIn("Monthly maintenance", html)
        self.assertIn("Tacit renewal", html)
        self.assertIn("Monthly", html)
        self.assertIn("In advance", html)
