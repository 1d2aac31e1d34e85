from odoo import Command
from odoo.tests import HttpCase, tagged

from .common import create_customer_site, new_tour_user


@tagged("post_install", "-at_install")
class TestEquipmentUi(HttpCase):
    """A contract user records an item on a customer's site and has the
    customer's contract cover it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer, cls.site = create_customer_site(
            cls.env, "SC EQ Tour Customer", "SC EQ Tour Plant Room", city="Lyon"
        )
        cls.user = new_tour_user(
            cls.env,
            "sc_eq_tour_user",
            "base.group_user,service_contract.group_service_contract_user",
            name="SC EQ Tour User",
        )
        cls.contract = cls.env["service.contract"].create(
            {
                "partner_id": cls.customer.id,
                "title": "SC EQ Tour Contract",
                "site_ids": [Command.set(cls.site.ids)],
                "line_ids": [
                    Command.create({"name": "Yearly service", "price_unit": 200})
                ],
            }
        )

    def test_create_item_and_cover_it(self):
        self.start_tour(
            "/odoo", "service_contract_equipment_tour", login=self.user.login
        )
        item = self.env["service.equipment"].search(
            [("name", "=", "SC EQ Tour Heat Pump")]
        )
        self.assertEqual(len(item), 1)
        self.assertEqual(item.partner_id, self.customer)
        self.assertEqual(item.site_id, self.site)
        self.assertEqual(item.brand, "Atlantic")
        self.assertEqual(self.contract.line_ids.equipment_ids, item)
        self.assertEqual(self.contract.equipment_ids, item)
        # Once signed, the item shows the contract among those covering it.
        self.contract.action_sign()
        self.assertEqual(item.with_user(self.user).contract_ids, self.contract)
