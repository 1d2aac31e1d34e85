from odoo import Command, fields
from odoo.tests import HttpCase, tagged

from odoo.addons.service_contract.models.date_utils import term_end


@tagged("post_install", "-at_install")
class TestServiceContractUi(HttpCase):
    """A user creates, signs and gives notice on a contract in the browser."""

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
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "SC Tour Customer",
                "is_company": True,
                "street": "1 rue du Tour",
                "city": "Lyon",
            }
        )
        cls.site = cls.env["res.partner"].create(
            {
                "name": "SC Tour Site",
                "type": "site",
                "parent_id": cls.customer.id,
                "street": "2 rue du Tour",
                "city": "Lyon",
            }
        )
        cls.signatory = cls.env["res.partner"].create(
            {
                "name": "SC Tour Signatory",
                "type": "contact",
                "parent_id": cls.customer.id,
                "contract_role": "signatory",
            }
        )
        product_vals = {"type": "service", "sale_ok": True}
        cls.product_check = cls.env["product.product"].create(
            dict(product_vals, name="SC Tour Boiler Check", list_price=150.0)
        )
        cls.product_cover = cls.env["product.product"].create(
            dict(product_vals, name="SC Tour Breakdown Cover", list_price=45.0)
        )
        # Start today, 1 year term, 1 month notice: the notice deadline is in
        # about eleven months, so a notice given today is on time.
        cls.template = cls.env["service.contract.template"].create(
            {
                "name": "SC Tour Template",
                "company_id": cls.env.company.id,
                "duration": 1,
                "duration_unit": "year",
                "renewal_type": "tacit",
                "renewal_duration": 1,
                "renewal_unit": "year",
                "notice_period": 1,
                "notice_unit": "month",
                "line_ids": [
                    Command.create(
                        {"product_id": cls.product_check.id, "quantity": 1.0}
                    ),
                    Command.create(
                        {
                            "product_id": cls.product_cover.id,
                            "quantity": 2.0,
                            "price_unit": 40.0,
                        }
                    ),
                ],
            }
        )
        cls.admin = cls.env.ref("base.user_admin")

    def _admin_today(self):
        return fields.Date.context_today(self.env["res.users"].with_user(self.admin))

    def test_contract_tour(self):
        Contract = self.env["service.contract"]
        self.assertFalse(Contract.search([("partner_id", "=", self.customer.id)]))
        # The contract's dates are the company's day, the dates the admin
        # types the admin's: they differ between the two midnights.
        today_before = {self._admin_today(), self.env.company._service_today()}

        self.start_tour("/odoo", "service_contract_tour", login="admin")

        days = {
            *today_before,
            self._admin_today(),
            self.env.company._service_today(),
        }
        contract = Contract.search([("partner_id", "=", self.customer.id)])
        self.assertEqual(len(contract), 1, "the tour creates exactly one contract")
        self.assertEqual(contract.template_id, self.template)
        self.assertEqual(contract.title, "SC Tour Template")
        self.assertEqual(contract.signatory_id, self.signatory)
        self.assertEqual(contract.site_ids, self.site)
        self.assertNotEqual(contract.name, "New")

        # Lifecycle: signed and running, with the notice registered on time.
        self.assertEqual(contract.state, "running")
        self.assertIn(contract.date_start, days)
        self.assertIn(contract.date_signed, days)
        self.assertIn(contract.notice_date, days)
        self.assertEqual(contract.notice_by, "customer")
        self.assertEqual(
            contract.notice_reason,
            "SC tour: the customer moves out of the building",
        )
        self.assertLessEqual(contract.notice_date, contract.notice_deadline)
        self.assertEqual(contract.date_end, term_end(contract.date_start, 1, "year"))
        self.assertEqual(contract.date_effective_end, contract.date_end)
        self.assertFalse(contract.date_termination)

        # Services copied from the template.
        self.assertEqual(
            [
                (line.product_id, line.quantity, line.price_unit)
                for line in contract.line_ids
            ],
            [
                (self.product_check, 1.0, 150.0),
                (self.product_cover, 2.0, 40.0),
            ],
        )
        self.assertEqual(
            contract.line_ids.mapped("name"), self.template.line_ids.mapped("name")
        )
        self.assertEqual(contract.amount_untaxed, 230.0)

        # Terms copied from the template.
        self.assertEqual(contract.renewal_type, "tacit")
        self.assertEqual((contract.duration, contract.duration_unit), (1, "year"))
        self.assertEqual((contract.notice_period, contract.notice_unit), (1, "month"))

        # The chatter tells the story.
        bodies = contract.message_ids.mapped("body")
        notices = [body for body in bodies if "Notice received on" in body]
        self.assertEqual(len(notices), 1, bodies)
        self.assertIn("SC tour: the customer moves out of the building", notices[0])
        self.assertIn(fields.Date.to_string(contract.date_end), notices[0])
