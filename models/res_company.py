from odoo import api, fields, models
from odoo.exceptions import ValidationError

# Preventive visits are generated at most two years ahead.
MAX_PLANNING_HORIZON = 731


class ResCompany(models.Model):
    _inherit = "res.company"

    service_planning_horizon = fields.Integer(
        string="Visit Planning Horizon",
        default=60,
        help="Preventive visits due within this many days are generated.",
    )
    service_billable_mode = fields.Selection(
        [("invoice", "Invoice"), ("quotation", "Quotation")],
        string="Billable Interventions",
        default="invoice",
        required=True,
        help="What Create Invoice makes of the work a contract does not "
        "cover: a customer invoice, or a quotation to confirm first.",
    )
    service_labour_product_id = fields.Many2one(
        "product.product",
        string="Labour Product",
        domain="[('type', '=', 'service'), ('company_id', 'in', (id, False))]",
        help="Bills the time spent on corrective interventions not covered by "
        "the contract, per hour, at its sales price. Without it, the "
        "contract's service product is used.",
    )

    @api.constrains("service_planning_horizon")
    def _check_service_planning_horizon(self):
        for company in self:
            if not 0 <= company.service_planning_horizon <= MAX_PLANNING_HORIZON:
                raise ValidationError(
                    self.env._(
                        "%(company)s: the visit planning horizon must be between "
                        "0 and %(max)s days (%(value)s).",
                        company=company.name,
                        max=MAX_PLANNING_HORIZON,
                        value=company.service_planning_horizon,
                    )
                )

    def _service_today(self):
        """Today's date for the company's contracts: the date now in the time
        zone of the company's contact, else in the user's (the context's),
        else in UTC. Scheduled actions run as OdooBot, who has no time zone:
        for them a company without time zone lives in UTC, as in the alert
        list (service.contract.alert)."""
        self.ensure_one()
        tz = self.sudo().partner_id.tz or self.env.context.get("tz") or self.env.user.tz
        return fields.Date.context_today(self.with_context(tz=tz or "UTC"))
