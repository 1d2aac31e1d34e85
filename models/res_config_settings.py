from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    service_planning_horizon = fields.Integer(
        related="company_id.service_planning_horizon", readonly=False
    )
