from odoo import Command
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestServiceContractQuoteToCashUi(HttpCase):
    """A quotation with a contract service is confirmed, the contract signed,
    its first period invoiced and paid: the contract shows it paid."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Mark as Signed renders the contract with wkhtmltopdf, which would
        # fetch the report's stylesheets from this test server while the
        # signing request holds the test cursor (a deadlock): point it
        # elsewhere, as PortalCase does.
        cls.env["ir.config_parameter"].sudo().set_param(
            "report.url", "file:///nonexistent-sc-report-url"
        )
        cls.admin = cls.env.ref("base.user_admin")
        # The tour sells, manages contracts, invoices and registers payments.
        cls.admin.write(
            {
                "groups_id": [
                    Command.link(cls.env.ref("sales_team.group_sale_salesman").id),
                    Command.link(
                        cls.env.ref(
                            "service_contract.group_service_contract_manager"
                        ).id
                    ),
                    Command.link(cls.env.ref("account.group_account_invoice").id),
                ]
            }
        )
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "SC Q2C Customer",
                "is_company": True,
                "street": "5 avenue du Devis",
                "city": "Nantes",
            }
        )
        # Monthly calendar periods invoiced in advance, prorated: the contract
        # starts on the day the quotation is confirmed, so its first period
        # is due that day.
        cls.template = cls.env["service.contract.template"].create(
            {
                "name": "SC Q2C Template",
                "company_id": cls.env.company.id,
                "duration": 1,
                "duration_unit": "year",
                "renewal_type": "tacit",
                "renewal_duration": 1,
                "renewal_unit": "year",
                "notice_period": 1,
                "notice_unit": "month",
                "invoicing_frequency": "month",
                "invoicing_mode": "advance",
                "prorata": True,
                "signature_required": True,
            }
        )
        cls.product = cls.env["product.product"].create(
            {
                "name": "SC Q2C Lift Maintenance",
                "type": "service",
                "sale_ok": True,
                "list_price": 120.0,
                "service_contract_template_id": cls.template.id,
            }
        )

    def test_quote_to_cash_tour(self):
        SaleOrder = self.env["sale.order"]
        self.assertFalse(SaleOrder.search([("partner_id", "=", self.customer.id)]))

        self.start_tour("/odoo", "service_contract_quote_to_cash_tour", login="admin")

        self.env.invalidate_all()
        order = SaleOrder.search([("partner_id", "=", self.customer.id)])
        self.assertEqual(len(order), 1, "the tour creates exactly one quotation")
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.order_line.product_id, self.product)

        # The confirmed quotation made one contract, signed in the tour.
        contract = order.service_contract_ids
        self.assertEqual(len(contract), 1)
        self.assertEqual(contract.state, "running")
        self.assertEqual(contract.template_id, self.template)
        self.assertEqual(contract.partner_id, self.customer)
        self.assertTrue(contract.date_signed)
        self.assertEqual(contract.line_ids.product_id, self.product)
        self.assertEqual(contract.amount_untaxed, 120.0)

        # Its first period is invoiced by one posted, paid invoice.
        invoice = contract.invoice_ids
        self.assertEqual(len(invoice), 1, "the tour invoices the first period once")
        self.assertEqual(invoice.move_type, "out_invoice")
        self.assertEqual(invoice.state, "posted")
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(invoice.partner_id, self.customer)
        self.assertEqual(invoice.invoice_line_ids.service_contract_id, contract)
        self.assertEqual(invoice.service_contract_ids, contract)
        first = contract.period_ids.sorted("date_from")[0]
        self.assertEqual(first.date_from, contract.date_start)
        self.assertEqual(first.state, "invoiced")
        self.assertEqual(first.move_id, invoice)
        self.assertEqual(invoice.invoice_date, first.invoice_date)
        self.assertEqual(
            invoice.currency_id.compare_amounts(invoice.amount_untaxed, first.amount),
            0,
        )
        self.assertEqual(
            contract.period_ids.filtered("move_id"), first, "one period invoiced"
        )

        # The contract follows the payment.
        currency = contract.currency_id
        self.assertTrue(currency.is_zero(invoice.amount_residual))
        self.assertFalse(currency.is_zero(invoice.amount_total))
        self.assertEqual(
            currency.compare_amounts(contract.amount_invoiced, invoice.amount_total),
            0,
        )
        self.assertEqual(
            currency.compare_amounts(contract.amount_paid, invoice.amount_total), 0
        )
        self.assertTrue(currency.is_zero(contract.amount_due))
        self.assertTrue(currency.is_zero(contract.amount_overdue))
        self.assertFalse(contract.is_late_payer)
