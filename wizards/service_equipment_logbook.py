from odoo import fields, models


class ServiceEquipmentLogbookWizard(models.TransientModel):
    _name = "service.equipment.logbook.wizard"
    _description = "Print the Maintenance Logbook"

    equipment_ids = fields.Many2many("service.equipment")
    year = fields.Integer(
        required=True, default=lambda self: fields.Date.context_today(self).year
    )

    def action_print(self):
        self.ensure_one()
        return self.equipment_ids.action_print_logbook(self.year)
