from odoo import Command
from odoo.tests import HttpCase, tagged

from .common import create_contract, create_customer_site, new_tour_user


@tagged("post_install", "-at_install")
class TestCollectionUi(HttpCase):
    """A portal customer on a phone saves a payment method for their running
    contract with Odoo's test provider (payment_demo)."""

    browser_size = "390x844"
    touch_enabled = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer, cls.site = create_customer_site(
            cls.env, "SC Pay Residence", "SC Pay Tower", city="Lyon"
        )
        cls.portal_user = new_tour_user(
            cls.env,
            "sc_collect_portal",
            "base.group_portal",
            name="Paula Payer",
            parent_id=cls.customer.id,
            company_id=cls.env.company.id,
        )
        product = cls.env["product.product"].create(
            {"name": "SC Pay Service", "type": "service", "list_price": 90}
        )
        cls.contract = create_contract(
            cls.env,
            cls.customer,
            sign=True,
            site_ids=[Command.set(cls.site.ids)],
            invoicing_frequency="month",
            line_ids=[Command.create({"product_id": product.id})],
        )
        provider = cls.env.ref("payment.payment_provider_demo").sudo()
        provider.write({"state": "test", "is_published": True})

    def test_save_payment_method_on_a_phone(self):
        self.start_tour(
            f"/my/contracts/{self.contract.id}",
            "service_contract_collection_tour",
            login="sc_collect_portal",
        )
        token = self.contract.sudo().payment_token_id
        self.assertTrue(token)
        self.assertEqual(token.partner_id, self.portal_user.partner_id)
        self.assertIn("4242", token.payment_details)
