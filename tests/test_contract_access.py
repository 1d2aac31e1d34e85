from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import ServiceContractCase


@tagged("post_install", "-at_install")
class TestSecurity(ServiceContractCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contract = cls._create_contract()
        cls.user = new_test_user(
            cls.env,
            login="sc_user",
            groups="base.group_user,service_contract.group_service_contract_user",
        )
        cls.manager = new_test_user(
            cls.env,
            login="sc_manager",
            groups="base.group_user,service_contract.group_service_contract_manager",
        )
        cls.salesman = new_test_user(
            cls.env,
            login="sc_salesman",
            groups="base.group_user,sales_team.group_sale_salesman",
        )
        cls.portal_user = new_test_user(
            cls.env, login="sc_portal", groups="base.group_portal"
        )
        cls.other_company = cls.env["res.company"].create({"name": "Other Co"})
        cls.other_user = new_test_user(
            cls.env,
            login="sc_other_company",
            groups="base.group_user,service_contract.group_service_contract_manager",
            company_id=cls.other_company.id,
            company_ids=[Command.set(cls.other_company.ids)],
        )

    def test_manager_implies_user(self):
        self.assertTrue(
            self.manager.has_group("service_contract.group_service_contract_user")
        )

    def test_user_runs_contracts_but_reads_templates_only(self):
        Contract = self.env["service.contract"].with_user(self.user)
        contract = Contract.create(
            {"partner_id": self.customer.id, "template_id": self.template.id}
        )
        contract.action_to_sign()
        contract.action_sign()
        self.assertEqual(contract.state, "running")
        self.assertEqual(self.contract.with_user(self.user).partner_id, self.customer)
        template = self.template.with_user(self.user)
        self.assertEqual(template.name, "Boiler maintenance")
        with self.assertRaises(AccessError):
            template.write({"name": "Changed"})
        with self.assertRaises(AccessError):
            self.env["service.contract.template"].with_user(self.user).create(
                {"name": "New"}
            )
        with self.assertRaises(AccessError):
            self.contract.with_user(self.user).unlink()

    def test_manager_manages_templates_and_deletes_drafts(self):
        template = (
            self.env["service.contract.template"]
            .with_user(self.manager)
            .create({"name": "Lift maintenance"})
        )
        template.write({"notice_period": 3})
        self.contract.with_user(self.manager).unlink()
        self.assertFalse(self.contract.exists())

    def test_other_company_sees_nothing(self):
        Contract = self.env["service.contract"].with_user(self.other_user)
        self.assertFalse(Contract.search([("id", "=", self.contract.id)]))
        with self.assertRaises(AccessError):
            self.contract.with_user(self.other_user).read(["name"])
        with self.assertRaises(AccessError):
            self.contract.line_ids.with_user(self.other_user).read(["name"])
        # A template without company is shared; one of company A is not.
        self.assertTrue(self.template.with_user(self.other_user).read(["name"]))
        self.template.company_id = self.company
        with self.assertRaises(AccessError):
            self.template.with_user(self.other_user).read(["name"])

    def test_portal_user_has_no_access(self):
        with self.assertRaises(AccessError):
            self.contract.with_user(self.portal_user).read(["name"])
        with self.assertRaises(AccessError):
            self.env["service.contract"].with_user(self.portal_user).create(
                {"partner_id": self.customer.id}
            )

    def test_salesman_sees_no_contract_menu_nor_contract(self):
        root = self.env.ref("service_contract.service_contract_menu_root")
        Menu = self.env["ir.ui.menu"]
        self.assertNotIn(root.id, Menu.with_user(self.salesman)._visible_menu_ids())
        self.assertIn(root.id, Menu.with_user(self.user)._visible_menu_ids())
        config = self.env.ref("service_contract.service_contract_menu_config")
        self.assertNotIn(config.id, Menu.with_user(self.user)._visible_menu_ids())
        self.assertIn(config.id, Menu.with_user(self.manager)._visible_menu_ids())
        with self.assertRaises(AccessError):
            self.contract.with_user(self.salesman).read(["name"])
        # The customer form still works for them.
        self.assertEqual(
            self.customer.with_user(self.salesman).name, self.customer.name
        )

    def test_salesman_confirms_quotation_with_contract_product(self):
        """A salesperson without contract rights sells a contract: the
        contract is made, for them, and they still cannot open it."""
        self.product.service_contract_template_id = self.template
        order = (
            self.env["sale.order"]
            .with_user(self.salesman)
            .create(
                {
                    "partner_id": self.customer.id,
                    "order_line": [Command.create({"product_id": self.product.id})],
                }
            )
        )
        order.action_confirm()
        contract = order.sudo().service_contract_ids
        self.assertEqual(len(contract), 1)
        self.assertEqual(contract.state, "to_sign")
        self.assertEqual(contract.user_id, self.salesman)
        with self.assertRaises(AccessError):
            contract.with_user(self.salesman).read(["name"])

    def test_wizards_follow_contract_access(self):
        with self.assertRaises(AccessError):
            self.env["service.contract.notice"].with_user(self.salesman).create(
                {"contract_id": self.contract.id}
            )
