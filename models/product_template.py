from odoo import fields, models


class ProductTemplate(models.Model):
    _inherit = "product.template"

    service_contract_template_id = fields.Many2one(
        "service.contract.template",
        string="Contract Template",
        help="Confirming a quotation that sells this service creates a "
        "contract from this template.",
    )
