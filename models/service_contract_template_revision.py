from odoo import fields, models


class ServiceContractTemplate(models.Model):
    """The price revision clause of a kind of contract, copied to its
    contracts."""

    _name = "service.contract.template"
    _inherit = ["service.contract.template", "service.revision.clause.mixin"]

    revision_term_ids = fields.One2many(
        "service.revision.term",
        "template_id",
        string="Revision Indices",
        copy=True,
    )
    revision_index_rule = fields.Selection(default="same_month")
    revision_digits = fields.Integer(default=6)
    revision_split = fields.Selection(default="prorate")
