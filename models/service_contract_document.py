from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount, format_date

from .document_placeholders import DOCUMENT_PLACEHOLDERS


class ServiceContract(models.Model):
    """The contract document: rendered from the template, frozen at
    signature, signed online from the customer portal."""

    _name = "service.contract"
    _inherit = ["service.contract", "portal.mixin", "service.mail.compose.mixin"]

    document_body = fields.Html(
        string="Document",
        copy=False,
        sanitize_attributes=False,
        help="The contract's text, rendered from its template; frozen once "
        "the contract is signed.",
    )
    document_frozen = fields.Boolean(copy=False, readonly=True)
    signed_document_id = fields.Many2one("ir.attachment", copy=False, readonly=True)
    signed_by = fields.Char(copy=False, tracking=True)
    signature = fields.Image(copy=False, max_width=1024, max_height=1024)

    doc_partner_address = fields.Html(compute="_compute_document_values")
    doc_sites = fields.Html(compute="_compute_document_values")
    doc_services = fields.Html(compute="_compute_document_values")
    doc_amount_annual = fields.Char(compute="_compute_document_values")
    doc_visits = fields.Html(compute="_compute_document_values")
    doc_firm_term = fields.Char(compute="_compute_document_values")
    doc_renewal = fields.Char(compute="_compute_document_values")
    doc_notice = fields.Char(compute="_compute_document_values")
    doc_notice_deadline = fields.Char(compute="_compute_document_values")
    doc_invoicing = fields.Char(compute="_compute_document_values")
    doc_date_start = fields.Char(compute="_compute_document_values")
    doc_date_end = fields.Char(compute="_compute_document_values")
    doc_today = fields.Char(compute="_compute_document_values")
    doc_company_address = fields.Html(compute="_compute_document_values")

    def _compute_access_url(self):
        res = super()._compute_access_url()
        for contract in self:
            contract.access_url = f"/my/contracts/{contract.id}"
        return res

    def _selection_label(self, field, value):
        return dict(self._fields[field]._description_selection(self.env)).get(value, "")

    def _period_text(self, count, unit):
        """'2 years', '1 month', '30 days', in the current language."""
        labels = {
            "day": (self.env._("day"), self.env._("days")),
            "month": (self.env._("month"), self.env._("months")),
            "year": (self.env._("year"), self.env._("years")),
        }
        singular, plural = labels.get(unit, ("", ""))
        return f"{count} {singular if count == 1 else plural}"

    @staticmethod
    def _address_html(partner):
        lines = [
            escape(line) for line in (partner._display_address() or "").split("\n")
        ]
        return Markup("<br/>").join(line for line in lines if line)

    def mail_allowed_qweb_expressions(self):
        return super().mail_allowed_qweb_expressions() + tuple(
            expression for expression, _label in DOCUMENT_PLACEHOLDERS
        )

    @api.depends_context("lang")
    def _compute_document_values(self):
        env = self.env
        for contract in self:
            currency = contract.currency_id
            contract.doc_partner_address = self._address_html(contract.partner_id)
            contract.doc_company_address = self._address_html(
                contract.company_id.partner_id
            )
            contract.doc_sites = Markup("<ul>%s</ul>") % Markup("").join(
                Markup("<li><strong>%s</strong><br/>%s</li>")
                % (site.name, self._address_html(site))
                for site in contract.site_ids
            )
            rows = Markup("").join(
                Markup(
                    "<tr><td>%s</td><td style='text-align:right'>%s</td>"
                    "<td style='text-align:right'>%s</td>"
                    "<td style='text-align:right'>%s</td></tr>"
                )
                % (
                    line.name or line.product_id.display_name,
                    f"{line.quantity:g}",
                    format_amount(env, line.price_unit, currency),
                    format_amount(env, line.price_subtotal, currency),
                )
                for line in contract.line_ids
            )
            contract.doc_services = Markup(
                "<table class='table table-sm'><thead><tr><th>%s</th>"
                "<th style='text-align:right'>%s</th>"
                "<th style='text-align:right'>%s</th>"
                "<th style='text-align:right'>%s</th></tr></thead>"
                "<tbody>%s</tbody><tfoot><tr><td colspan='3'><strong>%s</strong>"
                "</td><td style='text-align:right'><strong>%s</strong></td></tr>"
                "</tfoot></table>"
            ) % (
                env._("Service"),
                env._("Quantity"),
                env._("Unit price"),
                env._("Amount"),
                rows,
                env._("Total per period (untaxed)"),
                format_amount(env, contract.amount_untaxed, currency),
            )
            contract.doc_amount_annual = format_amount(
                env, contract.amount_annual, currency
            )
            contract.doc_visits = Markup("<ul>%s</ul>") % Markup("").join(
                Markup("<li>%s</li>")
                % env._(
                    "%(visit)s: %(frequency)s",
                    visit=plan.name,
                    frequency=contract._visit_frequency(plan),
                )
                for plan in contract.visit_plan_ids
            )
            contract.doc_firm_term = contract._period_text(
                contract.duration, contract.duration_unit
            )
            if contract.renewal_type == "none":
                contract.doc_renewal = env._("No renewal")
            else:
                contract.doc_renewal = env._(
                    "%(renewal)s for %(period)s",
                    renewal=contract._selection_label(
                        "renewal_type", contract.renewal_type
                    ),
                    period=contract._period_text(
                        contract.renewal_duration, contract.renewal_unit
                    ),
                )
            contract.doc_notice = env._(
                "%(period)s before the end of the term",
                period=contract._period_text(
                    contract.notice_period, contract.notice_unit
                ),
            )
            contract.doc_notice_deadline = format_date(env, contract.notice_deadline)
            contract.doc_invoicing = env._(
                "%(frequency)s, %(mode)s",
                frequency=contract._selection_label(
                    "invoicing_frequency", contract.invoicing_frequency
                ),
                mode=contract._selection_label(
                    "invoicing_mode", contract.invoicing_mode
                ).lower(),
            )
            contract.doc_date_start = format_date(env, contract.date_start)
            contract.doc_date_end = format_date(env, contract.date_end)
            contract.doc_today = format_date(env, fields.Date.context_today(contract))

    def _visit_frequency(self, plan):
        if plan.frequency_type == "count":
            text = self.env._("%(count)s visit(s) per year", count=plan.count_per_year)
        else:
            unit = self._selection_label_plan(plan)
            text = self.env._(
                "every %(count)s %(unit)s", count=plan.interval, unit=unit
            )
        if plan.per_site:
            text += " " + self.env._("per site")
        return text

    def _selection_label_plan(self, plan):
        return (
            dict(plan._fields["interval_unit"]._description_selection(self.env))
            .get(plan.interval_unit, "")
            .lower()
        )

    # ------------------------------------------------------------------
    # Rendering and freezing
    # ------------------------------------------------------------------

    def _render_document(self):
        """The template's document for each contract, in the customer's
        language, rendered by mail.render.mixin: {contract id: html}."""
        result = {}
        for template, contracts in self.grouped("template_id").items():
            if not template or not template.document_body:
                result.update(dict.fromkeys(contracts.ids, False))
                continue
            result.update(
                template._render_field(
                    "document_body", contracts.ids, compute_lang=True
                )
            )
        return result

    def action_render_document(self):
        """(Re)issue the document from the template: drafts only."""
        frozen = self.filtered(
            lambda c: c.document_frozen or c.state not in ("draft", "to_sign")
        )
        if frozen:
            raise UserError(
                self.env._(
                    "The document of a signed contract cannot change; set the "
                    "contract back to draft to issue a new version: %(names)s",
                    names=", ".join(frozen.mapped("name")),
                )
            )
        for contract_id, body in self._render_document().items():
            self.browse(contract_id).document_body = body
        return True

    def _freeze_document(self):
        """At signature: keep the rendered text; later changes of the
        template no longer reach the contract."""
        to_freeze = self.filtered(lambda c: not c.document_frozen)
        for contract_id, body in to_freeze._render_document().items():
            contract = self.browse(contract_id)
            if body:
                contract.document_body = body
        to_freeze.document_frozen = True

    def _get_signed_pdf_name(self):
        # Also the attachment name of the contract report, so that printing
        # a signed contract reuses this very PDF.
        return f"{self.name.replace('/', '-')} - signed.pdf"

    def _store_signed_pdf(self):
        """Render the signed contract once and keep it as an attachment."""
        report = self.env.ref("service_contract.action_report_service_contract")
        for contract in self:
            pdf, _type = (
                self.env["ir.actions.report"]
                .with_context(force_report_rendering=True)
                ._render_qweb_pdf(report, contract.ids)
            )
            contract.signed_document_id = self.env["ir.attachment"].create(
                {
                    "name": contract._get_signed_pdf_name(),
                    "type": "binary",
                    "raw": pdf,
                    "res_model": self._name,
                    "res_id": contract.id,
                    "mimetype": "application/pdf",
                }
            )

    def action_to_sign(self):
        res = super().action_to_sign()
        self.filtered(lambda c: not c.document_body).action_render_document()
        return res

    def action_sign(self, date_signed=None):
        res = super().action_sign(date_signed=date_signed)
        self._freeze_document()
        return res

    def action_draft(self):
        res = super().action_draft()
        self.write({"document_frozen": False, "signed_by": False, "signature": False})
        return res

    # ------------------------------------------------------------------
    # Sending and signing online
    # ------------------------------------------------------------------

    def action_send_by_email(self):
        """Send the contract (PDF and link to sign online) to the customer."""
        self.ensure_one()
        if self.state == "draft":
            self.action_to_sign()
        return self._action_compose(
            "service_contract.mail_template_contract_send", force_email=True
        )

    def _portal_sign(self, name, signature):
        """The customer signs online: record who, when and the signature,
        run the contract, and tell the responsible."""
        self.ensure_one()
        if self.state != "to_sign":
            raise UserError(
                self.env._(
                    "Contract %(name)s cannot be signed: it is not waiting "
                    "for a signature.",
                    name=self.name,
                )
            )
        if not name or not signature:
            raise UserError(self.env._("Sign with your name and signature."))
        self.write({"signed_by": name, "signature": signature})
        self.action_sign()
        self._store_signed_pdf()
        # From a token link the user is the public one: the customer signs.
        author = self.env.user.partner_id
        if self.env.user._is_public():
            author = self.signatory_id or self.partner_id
        self.message_post(
            body=self.env._("Signed online by %(name)s.", name=name),
            author_id=author.id,
            attachment_ids=self.signed_document_id.ids,
            partner_ids=self.user_id.partner_id.ids,
            subtype_xmlid="mail.mt_comment",
        )
        return True

    def _get_portal_return_action(self):
        return self.env.ref("service_contract.service_contract_action")
