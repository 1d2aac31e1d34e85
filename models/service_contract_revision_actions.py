from odoo import models


class ServiceContract(models.Model):
    """Revise Prices from the contract: the preview wizard."""

    _inherit = "service.contract"

    def action_open_revision_wizard(self):
        """Revise Prices: the preview of the revision of these contracts."""
        self._check_manager(self.env._("Only contract managers can revise prices."))
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "service_contract.service_contract_revision_wizard_action"
        )
        action["context"] = {
            "active_model": self._name,
            "active_ids": self.ids,
            "active_id": self[:1].id,
        }
        return action
