from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    service_opening_calendar_id = fields.Many2one(
        "resource.calendar",
        string="Opening Hours",
        help="When the site can be visited; empty: at any time.",
    )
