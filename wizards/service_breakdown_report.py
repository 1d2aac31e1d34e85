import base64

from odoo import api, fields, models
from odoo.exceptions import UserError


class ServiceBreakdownReport(models.TransientModel):
    """A user records a breakdown a customer reports (phone, email): it
    becomes a corrective intervention to plan on the covering contract."""

    _name = "service.breakdown.report"
    _description = "Report a Breakdown"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        domain="[('parent_id', '=', False)]",
    )
    site_id = fields.Many2one(
        "res.partner",
        domain="[('type', '=', 'site'), " "('commercial_partner_id', '=', partner_id)]",
    )
    equipment_ids = fields.Many2many(
        "service.equipment",
        domain="[('partner_id', '=', partner_id), ('state', '=', 'in_service')]",
    )
    contract_id = fields.Many2one(
        "service.contract",
        compute="_compute_contract_id",
        store=True,
        readonly=False,
        domain="[('state', '=', 'running'), "
        "('commercial_partner_id', '=', partner_id)]",
        help="The running contract that covers the breakdown: by default the "
        "one of the site with the shortest response time.",
    )
    company_id = fields.Many2one(related="contract_id.company_id")
    service_line_id = fields.Many2one(
        "service.contract.line",
        string="Service",
        domain="[('contract_id', '=', contract_id)]",
    )
    description = fields.Text(required=True)
    date_reported = fields.Datetime(
        string="Reported On", required=True, default=fields.Datetime.now
    )
    attachment_ids = fields.Many2many("ir.attachment", string="Photos")

    @api.depends("partner_id", "site_id", "equipment_ids")
    def _compute_contract_id(self):
        Contract = self.env["service.contract"]
        for wizard in self:
            site = wizard.site_id or wizard.equipment_ids.site_id[:1]
            contract = wizard.contract_id
            if not (
                contract
                and contract.commercial_partner_id == wizard.partner_id
                and (not site or site in contract.site_ids)
            ):
                contract = Contract._find_breakdown_contract(wizard.partner_id, site)
            wizard.contract_id = contract

    @api.model
    def _action_open(self, context):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Report a Breakdown"),
            "res_model": self._name,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": context,
        }

    def action_confirm(self):
        self.ensure_one()
        if not self.contract_id:
            raise UserError(
                self.env._(
                    "No running contract of %(customer)s covers this site: "
                    "choose the contract, or create a billable intervention.",
                    customer=self.partner_id.display_name,
                )
            )
        intervention = self.env["service.intervention"]._report_breakdown(
            self.contract_id,
            self.description,
            site=self.site_id,
            equipment=self.equipment_ids,
            service_line=self.service_line_id,
            attachments=[
                (attachment.name, base64.b64decode(attachment.datas or b""))
                for attachment in self.attachment_ids
            ],
            date_reported=self.date_reported,
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": intervention._name,
            "res_id": intervention.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }
