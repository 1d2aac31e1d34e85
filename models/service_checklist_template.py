from odoo import api, fields, models
from odoo.exceptions import ValidationError

CHECKLIST_KINDS = [
    ("check", "Check"),
    ("measure", "Measure"),
    ("choice", "Choice"),
    ("text", "Text"),
    ("photo", "Photo"),
]
# The role of an answer in the boiler maintenance certificate (arrêté du 15
# septembre 2009).
CERTIFICATE_FIELDS = [
    ("none", "None"),
    ("efficiency", "Efficiency (%)"),
    ("co", "Carbon monoxide (ppm)"),
    ("emission_class", "Emission class"),
    ("advice", "Advice given"),
]


def split_options(options):
    """The choices of a comma-separated list, stripped, without blanks."""
    return [option.strip() for option in (options or "").split(",") if option.strip()]


class ServiceChecklistTemplate(models.Model):
    """What a technician checks on an equipment item of a category."""

    _name = "service.checklist.template"
    _description = "Checklist Template"
    _order = "name, id"

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", index=True)
    item_ids = fields.One2many(
        "service.checklist.template.item", "template_id", string="Items", copy=True
    )
    category_ids = fields.One2many(
        "service.equipment.category",
        "checklist_template_id",
        string="Equipment Categories",
    )


class ServiceChecklistTemplateItem(models.Model):
    _name = "service.checklist.template.item"
    _description = "Checklist Template Item"
    _order = "template_id, sequence, id"

    template_id = fields.Many2one(
        "service.checklist.template", required=True, index=True, ondelete="cascade"
    )
    sequence = fields.Integer(default=10)
    name = fields.Char(string="Check", required=True, translate=True)
    kind = fields.Selection(CHECKLIST_KINDS, required=True, default="check")
    required = fields.Boolean(
        help="A visit cannot be marked as done while this item is unanswered."
    )
    unit = fields.Char(help="Unit of the measured value (%, ppm, bar...).")
    min_value = fields.Float(string="Minimum")
    max_value = fields.Float(
        string="Maximum",
        help="Acceptable range of a measure; a value outside it is flagged and "
        "calls for a corrective visit. Leave both at 0 for no range.",
    )
    choice_options = fields.Char(
        string="Options", help="The possible answers of a choice, comma-separated."
    )
    certificate_field = fields.Selection(
        CERTIFICATE_FIELDS,
        string="Certificate Role",
        required=True,
        default="none",
        help="Where the answer goes in the boiler maintenance certificate.",
    )

    @api.constrains("kind", "min_value", "max_value", "choice_options")
    def _check_item(self):
        for item in self:
            if item.kind == "measure" and item.min_value > item.max_value:
                raise ValidationError(
                    self.env._(
                        "%(item)s: the minimum (%(min)s) is above the maximum "
                        "(%(max)s).",
                        item=item.name,
                        min=item.min_value,
                        max=item.max_value,
                    )
                )
            if item.kind == "choice" and not split_options(item.choice_options):
                raise ValidationError(
                    self.env._(
                        "%(item)s: list the options of the choice, " "comma-separated.",
                        item=item.name,
                    )
                )

    def _prepare_checklist_line_vals(self):
        """The copy of the item on a filled checklist: the answer keeps the
        question it was given, even if the template changes later."""
        self.ensure_one()
        return {
            "item_id": self.id,
            "sequence": self.sequence,
            "name": self.name,
            "kind": self.kind,
            "required": self.required,
            "unit": self.unit,
            "min_value": self.min_value,
            "max_value": self.max_value,
            "choice_options": self.choice_options,
            "certificate_field": self.certificate_field,
        }


class ServiceEquipmentCategory(models.Model):
    _inherit = "service.equipment.category"

    checklist_template_id = fields.Many2one(
        "service.checklist.template",
        string="Checklist",
        help="Filled by the technician for each item of this category a visit "
        "covers.",
    )
