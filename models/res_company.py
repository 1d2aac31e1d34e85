from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    service_planning_horizon = fields.Integer(
        string="Visit Planning Horizon",
        default=60,
        help="Preventive visits due within this many days are generated.",
    )
