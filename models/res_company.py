from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    service_planning_horizon = fields.Integer(
        string="Visit Planning Horizon",
        default=60,
        help="Preventive visits due within this many days are generated.",
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
