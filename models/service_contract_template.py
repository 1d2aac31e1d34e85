from odoo import fields, models

from .service_contract_terms_mixin import (
    INVOICING_FREQUENCIES,
    INVOICING_MODES,
    NOTICE_UNITS,
    RENEWAL_TYPES,
    TERM_UNITS,
)


class ServiceContractTemplate(models.Model):
    """Defaults of a kind of contract: services, terms and document."""

    _name = "service.contract.template"
    _description = "Service Contract Template"
    _inherit = ["service.contract.terms.mixin"]
    _order = "sequence, name, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        help="Leave empty to share the template between companies.",
    )
    line_ids = fields.One2many(
        "service.contract.template.line",
        "template_id",
        string="Services",
        copy=True,
    )
    visit_plan_ids = fields.One2many(
        "service.visit.plan", "template_id", string="Visit Plan", copy=True
    )
    document_body = fields.Html(
        string="Contract Document",
        translate=True,
        sanitize_attributes=False,
        help="Body of the printed contract.",
    )
    note = fields.Html(string="Internal Notes")
    # Defaults of the shared terms.
    duration = fields.Integer(default=1, required=True)
    duration_unit = fields.Selection(TERM_UNITS, default="year", required=True)
    renewal_type = fields.Selection(RENEWAL_TYPES, default="tacit", required=True)
    renewal_duration = fields.Integer(default=1)
    renewal_unit = fields.Selection(TERM_UNITS, default="year")
    notice_period = fields.Integer(default=1)
    notice_unit = fields.Selection(NOTICE_UNITS, default="month", required=True)
    invoicing_frequency = fields.Selection(
        INVOICING_FREQUENCIES, default="month", required=True
    )
    invoicing_mode = fields.Selection(INVOICING_MODES, default="advance", required=True)
    prorata = fields.Boolean(default=True)
    signature_required = fields.Boolean(
        default=True,
        help="Contracts created from a confirmed quotation wait for the "
        "customer's signature; otherwise they run at once.",
    )
