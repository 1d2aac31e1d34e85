from odoo import api, fields, models

from ..models.service_contract import NOTICE_BY


class ServiceContractNotice(models.TransientModel):
    """Register the refusal of renewal (dénonciation)."""

    _name = "service.contract.notice"
    _description = "Register a Contract Notice"

    contract_id = fields.Many2one("service.contract", required=True, readonly=True)
    notice_deadline = fields.Date(related="contract_id.notice_deadline")
    date_end = fields.Date(related="contract_id.date_end")
    notice_date = fields.Date(
        string="Notice Received On",
        required=True,
        default=lambda self: self.env.company._service_today(),
    )
    notice_by = fields.Selection(
        NOTICE_BY,
        string="Given By",
        required=True,
        default="customer",
    )
    reason = fields.Text()
    is_late = fields.Boolean(compute="_compute_is_late")
    is_backdated = fields.Boolean(compute="_compute_is_backdated")
    override_deadline = fields.Boolean(
        string="Accept After Deadline",
        help="Managers only: accept a notice received after the notice deadline.",
    )

    @api.depends("notice_date", "notice_deadline")
    def _compute_is_late(self):
        for wizard in self:
            wizard.is_late = bool(
                wizard.notice_date
                and wizard.notice_deadline
                and wizard.notice_date > wizard.notice_deadline
            )

    @api.depends("notice_date")
    def _compute_is_backdated(self):
        for wizard in self:
            today = (wizard.contract_id.company_id or self.env.company)._service_today()
            wizard.is_backdated = bool(
                wizard.notice_date and wizard.notice_date < today
            )

    def action_confirm(self):
        self.ensure_one()
        self.contract_id._register_notice(
            self.notice_date,
            self.notice_by,
            self.reason,
            override=self.override_deadline,
        )
        return {"type": "ir.actions.act_window_close"}
