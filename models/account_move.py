from odoo import api, fields, models

from .service_lifecycle_guard import lifecycle_write


class AccountMove(models.Model):
    _inherit = "account.move"

    service_contract_period_ids = fields.One2many(
        "service.contract.period", "move_id", string="Billing Periods", readonly=True
    )
    service_contract_ids = fields.Many2many(
        "service.contract",
        string="Service Contracts",
        compute="_compute_service_contract_ids",
    )
    service_contract_count = fields.Integer(compute="_compute_service_contract_ids")

    @api.depends("invoice_line_ids.service_contract_id")
    def _compute_service_contract_ids(self):
        for move in self:
            move.service_contract_ids = move.invoice_line_ids.service_contract_id
            move.service_contract_count = len(move.service_contract_ids)

    @api.ondelete(at_uninstall=False)
    def _unlink_release_service_contract_periods(self):
        """A deleted draft invoice gives its periods back to the schedule."""
        with lifecycle_write():
            self.service_contract_period_ids.write({"move_id": False})

    def action_view_service_contracts(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "service_contract.service_contract_action"
        )
        action["domain"] = [("id", "in", self.service_contract_ids.ids)]
        if len(self.service_contract_ids) == 1:
            action["views"] = [(False, "form")]
            action["res_id"] = self.service_contract_ids.id
        return action


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    service_contract_id = fields.Many2one(
        "service.contract",
        index="btree_not_null",
        copy=True,
        readonly=True,
    )
