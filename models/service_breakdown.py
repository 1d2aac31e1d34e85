from odoo import models


class ResPartner(models.Model):
    """Report a breakdown from a customer or a site: the breakdown wizard
    (wizards/service_breakdown_report.py) opened for it."""

    _inherit = "res.partner"

    def action_report_breakdown(self):
        self.ensure_one()
        customer = self.commercial_partner_id
        return self.env["service.breakdown.report"]._action_open(
            {
                "default_partner_id": customer.id,
                "default_site_id": self.id if self.type == "site" else False,
            }
        )


class ServiceEquipment(models.Model):
    """Report a breakdown of an equipment: the breakdown wizard opened for
    its customer, site and equipment."""

    _inherit = "service.equipment"

    def action_report_breakdown(self):
        self.ensure_one()
        return self.env["service.breakdown.report"]._action_open(
            {
                "default_partner_id": self.partner_id.commercial_partner_id.id,
                "default_site_id": self.site_id.id,
                "default_equipment_ids": self.ids,
            }
        )
