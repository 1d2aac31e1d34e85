from odoo import Command
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestPortalUi(HttpCase):
    """The customer signs the contract online from the link of the email."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Signing renders the contract with wkhtmltopdf, which would fetch the
        # report's stylesheets from this test server: that request would wait
        # for the test cursor held by the signing request (a deadlock). Point
        # wkhtmltopdf elsewhere: it renders the PDF without the stylesheets.
        cls.env["ir.config_parameter"].sudo().set_param(
            "report.url", "file:///nonexistent-sc-report-url"
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "SC Tour Customer", "is_company": True}
        )
        cls.site = cls.env["res.partner"].create(
            {
                "name": "SC Tour Boiler Room",
                "type": "site",
                "parent_id": cls.customer.id,
                "street": "3 rue du Tour",
                "city": "Annecy",
            }
        )
        template = cls.env["service.contract.template"].create(
            {
                "name": "SC Tour Boiler Maintenance",
                "document_body": "<p>SC tour: the provider services the boiler "
                "once a year.</p>",
                "line_ids": [
                    Command.create({"name": "Yearly service", "price_unit": 150.0})
                ],
            }
        )
        cls.contract = cls.env["service.contract"].create(
            {
                "partner_id": cls.customer.id,
                "template_id": template.id,
                "site_ids": [Command.set(cls.site.ids)],
            }
        )
        cls.contract.action_to_sign()

    def test_customer_signs_from_the_email_link(self):
        contract = self.contract
        mail_template = self.env.ref("service_contract.mail_template_contract_send")
        body = mail_template._render_field("body_html", contract.ids)[contract.id]
        url = contract.get_portal_url()
        self.assertIn(f'href="{contract.get_base_url()}{url}"', str(body))

        self.start_tour(url, "service_contract_portal_tour")

        self.env.invalidate_all()
        self.assertEqual(contract.state, "running")
        self.assertEqual(contract.signed_by, "Jeanne Martin")
        self.assertTrue(contract.signature)
        self.assertTrue(contract.date_signed)
        self.assertTrue(contract.signed_document_id.raw.startswith(b"%PDF"))
        self.assertIn(
            "Signed online by Jeanne Martin",
            " ".join(str(body) for body in contract.message_ids.mapped("body")),
        )
