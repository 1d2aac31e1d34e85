from odoo import fields, models


class ServiceIntervention(models.Model):
    _inherit = "service.intervention"

    equipment_ids = fields.Many2many(
        "service.equipment",
        "service_intervention_equipment_rel",
        "intervention_id",
        "equipment_id",
        check_company=True,
        domain="[('partner_id', '=', partner_id), ('state', '=', 'in_service')]",
        help="The equipment items this intervention covers.",
    )
