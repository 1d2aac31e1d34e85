from odoo import Command, api, fields, models
from odoo.exceptions import ValidationError

OPEN_VISIT_STATES = ("to_plan", "planned")


class ServiceEquipment(models.Model):
    """An item of equipment installed at a customer's site."""

    _name = "service.equipment"
    _description = "Equipment"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "partner_id, site_id, name, id"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", default=lambda self: self.env.company, index=True
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        check_company=True,
        tracking=True,
        domain="[('parent_id', '=', False)]",
    )
    site_id = fields.Many2one(
        "res.partner",
        index="btree_not_null",
        check_company=True,
        tracking=True,
        domain="[('type', '=', 'site'), ('commercial_partner_id', '=', partner_id)]",
    )
    category_id = fields.Many2one(
        "service.equipment.category", index=True, tracking=True
    )
    brand = fields.Char()
    model_name = fields.Char(string="Model")
    serial_number = fields.Char(index="trigram", tracking=True, copy=False)
    date_installed = fields.Date(string="Installed On")
    warranty_end = fields.Date(string="Warranty Until")
    state = fields.Selection(
        [("in_service", "In Service"), ("removed", "Removed")],
        default="in_service",
        required=True,
        tracking=True,
    )
    note = fields.Html(string="Notes")
    intervention_ids = fields.Many2many(
        "service.intervention",
        "service_intervention_equipment_rel",
        "equipment_id",
        "intervention_id",
        string="Visits",
        readonly=True,
    )
    visit_count = fields.Integer(compute="_compute_visit_history")
    last_visit_date = fields.Date(
        string="Last Visit",
        compute="_compute_last_visit_date",
        store=True,
        help="The day of the last visit done on this item.",
    )

    _sql_constraints = [
        (
            "serial_unique",
            "UNIQUE(company_id, category_id, serial_number)",
            "Another equipment of this category already has this serial number.",
        ),
    ]

    @api.depends("name", "serial_number")
    def _compute_display_name(self):
        for equipment in self:
            equipment.display_name = (
                f"{equipment.name} ({equipment.serial_number})"
                if equipment.serial_number
                else equipment.name
            )

    @api.constrains("partner_id", "site_id")
    def _check_site_partner(self):
        for equipment in self:
            site = equipment.site_id
            if site and site.commercial_partner_id != equipment.partner_id:
                raise ValidationError(
                    self.env._(
                        "Equipment %(name)s: the site %(site)s does not belong to "
                        "the customer %(customer)s.",
                        name=equipment.name,
                        site=site.display_name,
                        customer=equipment.partner_id.display_name,
                    )
                )

    @api.constrains("date_installed", "warranty_end")
    def _check_dates(self):
        for equipment in self:
            if (
                equipment.date_installed
                and equipment.warranty_end
                and equipment.warranty_end < equipment.date_installed
            ):
                raise ValidationError(
                    self.env._(
                        "Equipment %(name)s: the warranty cannot end before the "
                        "installation date.",
                        name=equipment.name,
                    )
                )

    def _compute_visit_history(self):
        counts = dict(
            self.env["service.intervention"]._read_group(
                [("equipment_ids", "in", self.ids), ("state", "!=", "cancel")],
                ["equipment_ids"],
                ["__count"],
            )
        )
        for equipment in self:
            equipment.visit_count = counts.get(equipment, 0)

    @api.depends("intervention_ids.state", "intervention_ids.date_done")
    def _compute_last_visit_date(self):
        """Stored, so that lists sort and filter on it (the items not
        visited for the longest)."""
        last_done = dict(
            self.env["service.intervention"]._read_group(
                [("equipment_ids", "in", self.ids), ("state", "=", "done")],
                ["equipment_ids"],
                ["date_done:max"],
            )
        )
        for equipment in self:
            last = last_done.get(equipment._origin)
            equipment.last_visit_date = last and fields.Date.to_date(last)

    def write(self, vals):
        removed = (
            self.filtered(lambda e: e.state != "removed")
            if vals.get("state") == "removed"
            else self.browse()
        )
        res = super().write(vals)
        if removed:
            removed._on_removed()
        return res

    def _on_removed(self):
        """A removed item gets no more visits: the open visits generated for
        it alone are cancelled, the other open visits no longer cover it."""
        visits = (
            self.env["service.intervention"]
            .sudo()
            .search(
                [
                    ("equipment_ids", "in", self.ids),
                    ("state", "in", OPEN_VISIT_STATES),
                ]
            )
        )
        own = visits.filtered(lambda v: v.plan_equipment_id in self)
        own.action_cancel()
        (visits - own).write(
            {"equipment_ids": [Command.unlink(item.id) for item in self]}
        )

    def action_view_visits(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "service_contract.service_intervention_action"
        )
        action["domain"] = [("equipment_ids", "in", self.ids)]
        action["context"] = {"search_default_open": 0}
        return action

    @api.model
    def get_import_templates(self):
        return [
            {
                "label": self.env._("Import Template for Equipment"),
                "template": "/service_contract/static/xls/service_equipment.csv",
            }
        ]
