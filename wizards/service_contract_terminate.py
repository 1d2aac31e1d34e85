from odoo import fields, models

from ..models.service_contract import TERMINATION_TYPES


class ServiceContractTerminate(models.TransientModel):
    """End a contract before its term (résiliation)."""

    _name = "service.contract.terminate"
    _description = "Terminate a Contract"

    contract_id = fields.Many2one("service.contract", required=True, readonly=True)
    date_end = fields.Date(related="contract_id.date_end")
    date = fields.Date(
        string="Effective Date",
        required=True,
        default=lambda self: self.env.company._service_today(),
        help="Last day the contract is in force.",
    )
    termination_type = fields.Selection(
        TERMINATION_TYPES,
        string="Termination",
        required=True,
        default="agreement",
    )
    reason = fields.Text(required=True)

    def action_confirm(self):
        self.ensure_one()
        self.contract_id._terminate(self.date, self.termination_type, self.reason)
        return {"type": "ir.actions.act_window_close"}
