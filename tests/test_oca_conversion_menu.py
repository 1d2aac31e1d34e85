"""Convert OCA Contracts without OCA's contract add-on (README.md, "Leaving
OCA contract"): its menu is hidden and the wizard refuses to open, with a
clear message. tests/oca/ runs the conversion itself, on a database where
OCA's add-on is installed (tools/oca-test)."""

from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, new_test_user, tagged

from .common import RefusalMixin


@tagged("post_install", "-at_install")
class TestOcaConversionMenu(RefusalMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env,
            login="oca_menu_manager",
            groups="base.group_user,service_contract.group_service_contract_manager",
        )
        cls.user = new_test_user(
            cls.env,
            login="oca_menu_user",
            groups="base.group_user,service_contract.group_service_contract_user",
        )

    def test_without_oca(self):
        if "contract.contract" in self.env:
            self.skipTest("OCA's contract add-on is installed (see tests/oca)")
        menu = self.env.ref("service_contract.service_contract_oca_conversion_menu")
        menus = self.env["ir.ui.menu"].with_user(self.manager).load_menus(False)
        self.assertNotIn(menu.id, menus)
        # The Configuration menu stays.
        config = self.env.ref("service_contract.service_contract_menu_config")
        self.assertIn(config.id, menus)
        Wizard = self.env["service.contract.oca.conversion"]
        self.assertRefused(
            UserError, "is not installed", Wizard.with_user(self.manager).create, {}
        )
        self.assertRefused(AccessError, "", Wizard.with_user(self.user).create, {})
