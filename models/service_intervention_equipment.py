from odoo import api, fields, models
from odoo.exceptions import ValidationError


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
    plan_equipment_id = fields.Many2one(
        "service.equipment",
        string="Planned For",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        help="The item of a visit plan per equipment this visit was generated " "for.",
    )

    @api.constrains("equipment_ids", "partner_id")
    def _check_equipment_customer(self):
        for intervention in self:
            customer = intervention.partner_id.commercial_partner_id
            foreign = intervention.equipment_ids.filtered(
                lambda e, c=customer: e.partner_id != c
            )
            if foreign:
                raise ValidationError(
                    self.env._(
                        "%(name)s: the equipment %(equipment)s does not belong to "
                        "the customer %(customer)s.",
                        name=intervention.name,
                        equipment=", ".join(foreign.mapped("display_name")),
                        customer=customer.display_name,
                    )
                )
