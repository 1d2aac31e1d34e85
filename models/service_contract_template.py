from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .document_placeholders import refused_constructs
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
    _inherit = ["service.contract.terms.mixin", "mail.render.mixin"]
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
    visit_plan_ids = fields.One2many("service.visit.plan", "template_id", copy=True)
    document_body = fields.Html(
        string="Contract Document",
        translate=True,
        render_engine="qweb",
        sanitize="email_outgoing",
        help="Body of the printed contract. Insert placeholders with the '/' "
        "command (Dynamic Placeholder); the list below says which ones exist.",
    )
    # The document's language is the customer's, computed in Python
    # (_render_lang): no expression is ever evaluated for it.
    lang = fields.Char(default=False)
    placeholder_help = fields.Html(
        string="Placeholders", compute="_compute_placeholder_help"
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
    prorata = fields.Boolean(default=False)
    signature_required = fields.Boolean(
        default=True,
        help="Contracts created from a confirmed quotation wait for the "
        "customer's signature; otherwise they run at once.",
    )

    def _compute_render_model(self):
        self.render_model = "service.contract"

    def _compute_placeholder_help(self):
        placeholders = self.env["service.contract"]._list_document_placeholders()
        rows = Markup("").join(
            Markup("<tr><td><code>%s</code></td><td>%s</td></tr>")
            % (expression, str(label))
            for expression, label in placeholders
        )
        self.placeholder_help = (
            Markup("<table class='table table-sm'><tbody>%s</tbody></table>") % rows
        )

    def _render_lang(self, res_ids, engine="inline_template"):
        """The customer's language, read in Python: the template's ``lang``
        expression of mail.render.mixin is never evaluated."""
        contracts = self.env["service.contract"].browse(res_ids)
        return {contract.id: contract.partner_id.lang for contract in contracts}

    def _check_placeholders(self, field_name, get_message):
        """Refuse a text ``field_name`` of this template with anything but
        the placeholders of the contract document, in every installed
        language: ``get_message(lang, constructs)`` says what is refused."""
        self.ensure_one()
        # {expression: label} of the placeholders allowed
        allowed = dict(self.env["service.contract"]._list_document_placeholders())
        for lang, _name in self.env["res.lang"].get_installed():
            refused = refused_constructs(
                self.with_context(lang=lang)[field_name], allowed
            )
            if refused:
                raise ValidationError(get_message(lang, ", ".join(refused)))

    @api.constrains("document_body", "lang")
    def _check_document_body(self):
        """Refuse, at save, anything but the documented placeholders, in
        every language, and documents that do not render."""
        for template in self:
            if template.lang:
                raise ValidationError(
                    self.env._(
                        "Template %(name)s: the document is written in the "
                        "customer's language; leave the language empty.",
                        name=template.name,
                    )
                )
            template._check_placeholders(
                "document_body",
                lambda lang, constructs, template=template: self.env._(
                    "Template %(name)s (%(lang)s): unknown placeholder(s) "
                    "or code refused: %(constructs)s. Only the placeholders "
                    "listed on the template are allowed, written as "
                    '<t t-out="object.name"/>.',
                    name=template.name,
                    lang=lang,
                    constructs=constructs,
                ),
            )
            body = template.document_body
            sample = self.env["service.contract"].search(
                [("template_id", "=", template.id)], limit=1
            ) or self.env["service.contract"].search([], limit=1)
            if body and sample:
                try:
                    template._render_field("document_body", sample.ids)
                except Exception as error:  # noqa: BLE001 - reported to the user
                    raise ValidationError(
                        self.env._(
                            "Template %(name)s: the document does not render: "
                            "%(error)s",
                            name=template.name,
                            error=error,
                        )
                    ) from error
