from odoo import Command, fields
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestAmendmentUi(HttpCase):
    """The office amends a running contract and sends the amendment; the
    customer signs it on the portal."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Signing renders the PDF with wkhtmltopdf: keep it from fetching the
        # stylesheets from this test server (see test_ui_portal.py).
        cls.env["ir.config_parameter"].sudo().set_param(
            "report.url", "file:///nonexistent-sc-report-url"
        )
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "SC Amend Tour Customer",
                "is_company": True,
                "email": "amend-tour@example.com",
            }
        )
        cls.portal_user = new_test_user(
            cls.env,
            login="sc_amend_tour_portal",
            password="sc_amend_tour_portal",
            name="Jeanne Avenant",
            groups="base.group_portal",
            parent_id=cls.customer.id,
        )
        cls.product = cls.env["product.product"].create(
            {"name": "SC Amend Tour Service", "type": "service", "list_price": 300.0}
        )
        cls.contract = cls.env["service.contract"].create(
            {
                "partner_id": cls.customer.id,
                "title": "SC Amend Tour Contract",
                "date_start": fields.Date.context_today(cls.env.user),
                "invoicing_frequency": "month",
                "line_ids": [Command.create({"product_id": cls.product.id})],
            }
        )
        cls.contract.action_sign()

    def test_amend_and_sign_on_the_portal(self):
        self.start_tour("/odoo", "service_contract_amendment_tour", login="admin")
        amendment = self.contract.amendment_ids
        self.assertEqual(len(amendment), 1)
        self.assertEqual(amendment.state, "to_sign")
        self.assertEqual(amendment.line_ids.price_unit, 400.0)
        self.assertTrue(
            amendment.message_ids.filtered(
                lambda m: m.message_type == "comment"
                and amendment.name in (m.subject or "")
            )
        )
        self.start_tour(
            amendment.get_portal_url(),
            "service_contract_amendment_portal_tour",
            login=self.portal_user.login,
        )
        self.env.invalidate_all()
        self.assertEqual(amendment.state, "done")
        self.assertEqual(amendment.signed_by, "Jeanne Avenant")
        self.assertEqual(self.contract.line_ids.price_unit, 400.0)
        self.assertTrue(amendment.signed_document_id.raw.startswith(b"%PDF"))
