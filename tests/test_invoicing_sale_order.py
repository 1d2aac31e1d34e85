"""The contract products of a sale order are billed by their contract only.

Confirming a quotation creates the contract, which bills the service on its
schedule: the order never invoices those lines (not with a regular invoice,
a down payment or the batch action), and invoices its other products as
usual. Everything is done as a salesperson without contract rights.
"""

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import InvoicingCase

REFUSED = "billed by their service contracts"


@tagged("post_install", "-at_install")
class TestSaleOrderContractLines(InvoicingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.company_data["company"]
        cls.salesman = new_test_user(
            cls.env,
            login="sc_sale_inv_salesman",
            groups="base.group_user,sales_team.group_sale_salesman",
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
        )
        cls.product.service_contract_template_id = cls.template
        cls.template.signature_required = False

    def _order(self, *products):
        """A quotation of ``products``, confirmed by the salesperson."""
        order = (
            self.env["sale.order"]
            .with_user(self.salesman)
            .create(
                {
                    "partner_id": self.customer.id,
                    "order_line": [
                        Command.create({"product_id": product.id})
                        for product in products
                    ],
                }
            )
        )
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        return order

    def _wizard(self, orders, **values):
        return (
            self.env["sale.advance.payment.inv"]
            .with_user(self.salesman)
            .with_context(active_model="sale.order", active_ids=orders.ids)
            .create(values)
        )

    def _contract_line(self, order):
        return order.order_line.filtered(lambda line: line.product_id == self.product)

    def test_confirmed_contract_order_is_not_to_invoice(self):
        order = self._order(self.product)
        contract = order.sudo().service_contract_ids
        self.assertEqual(contract.state, "running", "the contract bills it")
        line = order.order_line
        self.assertTrue(line.service_contract_billed)
        self.assertEqual(line.qty_to_invoice, 0.0)
        self.assertEqual(line.invoice_status, "no")
        self.assertEqual(line.untaxed_amount_to_invoice, 0.0)
        self.assertEqual(order.invoice_status, "no")
        self.assertEqual(order.amount_to_invoice, 0.0)
        # Not in Sales > To Invoice > Orders to Invoice.
        to_invoice = (
            self.env["sale.order"]
            .with_user(self.salesman)
            .search([("invoice_status", "=", "to invoice")])
        )
        self.assertNotIn(order, to_invoice)
        # Once the contract has billed its first period, still nothing.
        self._invoice(contract.date_start)
        self.assertTrue(contract.period_ids.filtered("move_id"))
        self.env.invalidate_all()
        self.assertEqual(order.order_line.qty_to_invoice, 0.0)
        self.assertEqual(order.invoice_status, "no")

    def test_quotation_line_shows_it_is_billed_by_contract(self):
        order = (
            self.env["sale.order"]
            .with_user(self.salesman)
            .create(
                {
                    "partner_id": self.customer.id,
                    "order_line": [
                        Command.create({"product_id": self.product.id}),
                        Command.create({"product_id": self.product_a.id}),
                    ],
                }
            )
        )
        self.assertEqual(
            order.order_line.mapped("service_contract_billed"), [True, False]
        )

    def test_wizard_refuses_contract_only_order(self):
        order = self._order(self.product)
        for values in (
            {"advance_payment_method": "delivered"},
            {"advance_payment_method": "percentage", "amount": 30},
            {"advance_payment_method": "fixed", "fixed_amount": 100},
        ):
            with self.subTest(**values):
                wizard = self._wizard(order, **values)
                self.assertRefused(UserError, REFUSED, wizard.create_invoices)
                self.assertFalse(order.invoice_ids)
                self.assertFalse(order.order_line.filtered("is_downpayment"))
                self.assertEqual(len(order.order_line), 1)

    def test_mixed_order_invoices_the_one_off_product_only(self):
        order = self._order(self.product, self.product_a)
        self.assertEqual(order.invoice_status, "to invoice")
        # No down payment: it would bill part of the contract.
        for values in (
            {"advance_payment_method": "percentage", "amount": 30},
            {"advance_payment_method": "fixed", "fixed_amount": 100},
        ):
            with self.subTest(**values):
                wizard = self._wizard(order, **values)
                self.assertRefused(UserError, REFUSED, wizard.create_invoices)
                self.assertFalse(order.invoice_ids)
        self._wizard(order, advance_payment_method="delivered").create_invoices()
        invoice = order.invoice_ids
        self.assertEqual(len(invoice), 1)
        self.assertEqual(invoice.invoice_line_ids.product_id, self.product_a)
        self.assertEqual(
            invoice.invoice_line_ids.sale_line_ids.product_id, self.product_a
        )
        self.assertEqual(self._contract_line(order).qty_invoiced, 0.0)
        self.assertEqual(self._contract_line(order).invoice_status, "no")
        self.assertNotEqual(order.invoice_status, "to invoice")
        # Only the contract's line remains: refused, with the reason.
        wizard = self._wizard(order, advance_payment_method="delivered")
        self.assertRefused(UserError, REFUSED, wizard.create_invoices)
        self.assertEqual(order.invoice_ids, invoice)

    def test_batch_invoicing_of_several_orders(self):
        contract_only = self._order(self.product)
        mixed = self._order(self.product, self.product_a)
        orders = (contract_only | mixed).with_user(self.salesman)
        invoices = orders._create_invoices()
        self.assertEqual(len(invoices), 1)
        self.assertEqual(invoices.invoice_line_ids.product_id, self.product_a)
        self.assertFalse(contract_only.invoice_ids)
        # Nothing but contract lines left on both: refused.
        self.assertRefused(UserError, REFUSED, orders._create_invoices)
        self.assertEqual(orders.invoice_ids, invoices)
        # The Invoice Orders action (the wizard on several orders) too.
        others = (self._order(self.product) | self._order(self.product)).with_user(
            self.salesman
        )
        self.assertRefused(UserError, REFUSED, others._create_invoices)
        wizard = self._wizard(others, advance_payment_method="delivered")
        self.assertRefused(UserError, REFUSED, wizard.create_invoices)
        self.assertFalse(others.invoice_ids)

    def test_confirmed_order_adds_or_changes_no_contract_product(self):
        """Once confirmed, a contract product is neither added to the order
        nor changed on it (nobody would bill it): the contract changes by
        an amendment. A one-off product is still added."""
        order = self._order(self.product)
        line = self._contract_line(order).with_user(self.salesman)
        for values in ({"product_uom_qty": 2}, {"price_unit": 1.0}):
            with self.subTest(**values):
                self.assertRefused(ValidationError, "amendment", line.write, values)
        self.assertRefused(
            ValidationError,
            "amendment",
            order.with_user(self.salesman).write,
            {"order_line": [Command.create({"product_id": self.product.id})]},
        )
        order.with_user(self.salesman).write(
            {"order_line": [Command.create({"product_id": self.product_a.id})]}
        )
        self.assertEqual(len(order.order_line), 2)

    def test_no_online_payment_of_a_quotation_with_contract_products(self):
        """Paying at signature would bill the contract's services twice:
        such a quotation is signed, not paid, online."""
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "require_payment": True,
                "order_line": [
                    Command.create({"product_id": self.product.id}),
                    Command.create({"product_id": self.product_a.id}),
                ],
            }
        )
        self.assertFalse(order._has_to_be_paid())
        one_off = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "require_payment": True,
                "order_line": [Command.create({"product_id": self.product_a.id})],
            }
        )
        self.assertTrue(one_off._has_to_be_paid())
