from datetime import date, datetime, time

from odoo import fields, models
from odoo.exceptions import UserError

LOGBOOK_REPORT = "service_contract.action_report_lift_logbook"


class ServiceEquipment(models.Model):
    """The maintenance logbook of a lift (carnet d'entretien): each visit of
    a year and its checks, as a PDF."""

    _inherit = "service.equipment"

    category_regulation = fields.Selection(related="category_id.regulation")

    def _get_logbook_visits(self, year):
        """The done visits of ``year`` covering this item, oldest first."""
        self.ensure_one()
        start = datetime.combine(date(year, 1, 1), time.min)
        end = datetime.combine(date(year + 1, 1, 1), time.min)
        return (
            self.env["service.intervention"]
            .sudo()
            .search(
                [
                    ("equipment_ids", "in", self.ids),
                    ("state", "=", "done"),
                    ("date_done", ">=", start),
                    ("date_done", "<", end),
                ],
                order="date_done, id",
            )
        )

    def _get_logbook_lines(self, visit):
        """The answers of ``visit``'s checklist for this item."""
        self.ensure_one()
        return visit.sudo().checklist_line_ids.filtered(
            lambda line: line.equipment_id == self
        )

    def action_print_logbook(self, year=None):
        lifts = self.filtered(lambda e: e.category_id.regulation == "lift")
        if not lifts:
            raise UserError(
                self.env._(
                    "The maintenance logbook is kept for lifts only: set a "
                    "category with the lift regulation on %(names)s.",
                    names=", ".join(self.mapped("display_name")),
                )
            )
        year = int(year or fields.Date.context_today(self).year)
        return self.env.ref(LOGBOOK_REPORT).report_action(lifts, data={"year": year})

    def action_open_logbook_wizard(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Maintenance Logbook"),
            "res_model": "service.equipment.logbook.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_equipment_ids": self.ids},
        }
