from odoo import models


class IrUiMenu(models.Model):
    _inherit = "ir.ui.menu"

    def _load_menus_blacklist(self):
        """Hide Convert OCA Contracts while OCA's contract add-on is not
        installed (the wizard refuses to open then, too). Installing or
        removing an add-on reloads the registry and the menus' cache."""
        blacklist = super()._load_menus_blacklist()
        if "contract.contract" not in self.env:
            menu = self.env.ref(
                "service_contract.service_contract_oca_conversion_menu",
                raise_if_not_found=False,
            )
            if menu:
                blacklist = [*blacklist, menu.id]
        return blacklist
