"""Equipment, breakdowns and amendments as the users who are really there:
each opens the menus it sees without an access error, and does not see the
others."""

from datetime import date

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import MenuCase

MENUS = {
    "equipment": "service_contract.service_equipment_menu",
    "breakdowns": "service_contract.service_intervention_menu_breakdown",
    "amendments": "service_contract.service_contract_amendment_menu",
    "my_interventions": "service_contract.service_intervention_menu_my",
    "root": "service_contract.service_contract_menu_root",
}


@tagged("post_install", "-at_install")
class TestAccessEquipment(MenuCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.site = cls.env["res.partner"].create(
            {
                "name": "SC Access Boiler Room",
                "type": "site",
                "parent_id": cls.customer.id,
            }
        )
        cls.contract = cls._contract(
            start=date(2026, 1, 1),
            response_time_hours=4,
            site_ids=[Command.set(cls.site.ids)],
        )
        cls.boiler = cls.env["service.equipment"].create(
            {
                "name": "SC Access Boiler",
                "partner_id": cls.customer.id,
                "site_id": cls.site.id,
            }
        )
        Intervention = cls.env["service.intervention"]
        cls.own_breakdown = Intervention._report_breakdown(
            cls.contract, "Boiler stopped", site=cls.site, equipment=cls.boiler
        )
        cls.own_breakdown.user_id = cls.technician
        cls.other_breakdown = Intervention._report_breakdown(
            cls.contract, "Boiler noisy", site=cls.site, equipment=cls.boiler
        )

    def _visible(self, user):
        """The menus the web client shows ``user`` (a hidden parent hides
        its children)."""
        menus = self.env["ir.ui.menu"].with_user(user).load_menus(debug=False)
        shown = {menu["xmlid"] for menu in menus.values() if menu.get("xmlid")}
        return {key for key, xmlid in MENUS.items() if xmlid in shown}

    def _open_menu(self, user, key):
        return self._open_action(user, self.env.ref(MENUS[key]).action.sudo())

    def test_menus_each_user_sees(self):
        self.assertEqual(
            self._visible(self.contract_user),
            {"equipment", "breakdowns", "amendments", "my_interventions", "root"},
        )
        self.assertEqual(self._visible(self.technician), {"my_interventions", "root"})
        self.assertEqual(self._visible(self.salesman), set())
        self.assertEqual(self._visible(self.accountant), set())

    def test_contract_user_opens_equipment_breakdowns_amendments(self):
        user = self.contract_user
        for key in ("equipment", "breakdowns", "amendments"):
            self._open_menu(user, key)
        Breakdowns = self.env["service.intervention"].with_user(user)
        action = self.env.ref(MENUS["breakdowns"]).action.sudo()
        found = Breakdowns.search(
            [("kind", "=", "corrective"), ("partner_id", "=", self.customer.id)]
        )
        self.assertEqual(found, self.own_breakdown | self.other_breakdown)
        self.assertIn("corrective", action.domain)
        self.assertTrue(all(found.mapped("date_response_deadline")))
        # From the item: the breakdown wizard, then the intervention.
        wizard_action = self.boiler.with_user(user).action_report_breakdown()
        wizard = (
            self.env["service.breakdown.report"]
            .with_user(user)
            .with_context(**wizard_action["context"])
            .create({"description": "Leak under the boiler"})
        )
        self.assertEqual(wizard.contract_id, self.contract)
        result = wizard.action_confirm()
        breakdown = Breakdowns.browse(result["res_id"])
        self.assertEqual(breakdown.equipment_ids, self.boiler)
        self.assertTrue(breakdown.date_response_deadline)
        # A new item on the customer's site, covered by the contract.
        item = (
            self.env["service.equipment"]
            .with_user(user)
            .create(
                {
                    "name": "SC Access Heat Pump",
                    "partner_id": self.customer.id,
                    "site_id": self.site.id,
                }
            )
        )
        self.assertFalse(item.contract_ids)

    def test_technician_sees_own_breakdowns_and_the_items(self):
        user = self.technician
        self._open_menu(user, "my_interventions")
        Breakdowns = self.env["service.intervention"].with_user(user)
        self.assertEqual(
            Breakdowns.search([("kind", "=", "corrective")]), self.own_breakdown
        )
        with self.assertRaises(AccessError):
            self.other_breakdown.with_user(user).read(["name"])
        # The items of its visits, read as the form shows them.
        self._open_action(
            user, self.env.ref("service_contract.service_equipment_action")
        )
        self.assertEqual(
            self.own_breakdown.with_user(user).equipment_ids.mapped("name"),
            ["SC Access Boiler"],
        )
        with self.assertRaises(AccessError):
            self.boiler.with_user(user).unlink()
        with self.assertRaises(AccessError):
            self.env["service.breakdown.report"].with_user(user).create(
                {"partner_id": self.customer.id, "description": "x"}
            )

    def test_sales_and_accounting_see_no_equipment(self):
        for user in (self.salesman, self.accountant):
            for model, record in (
                ("service.equipment", self.boiler),
                ("service.intervention", self.own_breakdown),
            ):
                self.assertFalse(self.env[model].with_user(user).has_access("read"))
                with self.assertRaises(AccessError):
                    record.with_user(user).read(["name"])
            self.assertFalse(
                self.env["service.contract.amendment"]
                .with_user(user)
                .has_access("read")
            )
