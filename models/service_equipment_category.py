from odoo import fields, models


class ServiceEquipmentCategory(models.Model):
    """A kind of equipment (boiler, lift, air handling unit...): it decides
    which checklist a visit fills and which regulation applies."""

    _name = "service.equipment.category"
    _description = "Equipment Category"
    _order = "sequence, name, id"

    sequence = fields.Integer(default=10)
    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", index=True)
    regulation = fields.Selection(
        [
            ("none", "None"),
            ("boiler", "Boiler (maintenance certificate)"),
            ("lift", "Lift (maintenance logbook)"),
        ],
        default="none",
        required=True,
        help="Boilers get a maintenance certificate after each visit; lifts a "
        "yearly maintenance logbook.",
    )
    equipment_count = fields.Integer(compute="_compute_equipment_count")

    def _compute_equipment_count(self):
        counts = dict(
            self.env["service.equipment"]._read_group(
                [("category_id", "in", self.ids)], ["category_id"], ["__count"]
            )
        )
        for category in self:
            category.equipment_count = counts.get(category, 0)
