from markupsafe import Markup, escape

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount, format_date
from odoo.tools.translate import LazyTranslate

from .selection import selection_label
from .service_lifecycle_guard import lifecycle_action

_lt = LazyTranslate(__name__)

# States in which the customer sees a contract on the portal: drafts and
# cancelled contracts were never sent, or withdrawn.
PORTAL_CONTRACT_STATES = ("to_sign", "running", "closed")

# The placeholders of the contract's own terms (sequence, expression, label);
# the concerns add theirs (see _get_document_placeholders).
DOCUMENT_PLACEHOLDERS = [
    (10, "object.name", _lt("Contract reference")),
    (20, "object.partner_id.name", _lt("Customer name")),
    (30, "object.doc_partner_address", _lt("Customer address")),
    (40, "object.partner_id.vat", _lt("Customer VAT number")),
    (50, "object.signatory_id.name", _lt("Signatory")),
    (60, "object.doc_sites", _lt("Sites with their addresses")),
    (70, "object.doc_services", _lt("Services with prices")),
    (80, "object.doc_amount_annual", _lt("Annual amount (untaxed)")),
    (110, "object.doc_firm_term", _lt("Firm term")),
    (120, "object.doc_renewal", _lt("Renewal rule")),
    (130, "object.doc_notice", _lt("Notice period")),
    (140, "object.doc_notice_deadline", _lt("Notice deadline")),
    (150, "object.doc_invoicing", _lt("Invoicing frequency and mode")),
    (160, "object.payment_term_id.name", _lt("Payment terms")),
    (170, "object.doc_date_start", _lt("Start date")),
    (180, "object.doc_date_end", _lt("End of the current term")),
    (190, "object.doc_today", _lt("Today's date")),
    (200, "object.company_id.name", _lt("Company name")),
    (210, "object.doc_company_address", _lt("Company address")),
    (220, "object.company_id.vat", _lt("Company VAT number")),
    (230, "object.company_id.company_registry", _lt("Company registry number")),
]


class ServiceContract(models.Model):
    """The contract document: rendered from the template, frozen at
    signature, signed online from the customer portal."""

    _name = "service.contract"
    _inherit = [
        "service.contract",
        "portal.mixin",
        "service.mail.compose.mixin",
        "service.signed.document.mixin",
        "service.stored.pdf.mixin",
    ]

    document_body = fields.Html(
        string="Document",
        copy=False,
        sanitize_attributes=False,
        help="The contract's text, rendered from its template; frozen once "
        "the contract is signed.",
    )
    document_frozen = fields.Boolean(copy=False, readonly=True)
    sent_document_hash = fields.Char(
        string="Fingerprint of the Document Sent",
        copy=False,
        readonly=True,
        help="SHA-256 of the document's text and figures when it was sent for "
        "signature: the customer can only sign that very document.",
    )
    document_hash = fields.Char(
        string="Document Fingerprint (SHA-256)",
        copy=False,
        readonly=True,
        help="SHA-256 of the signed text and figures, printed on the contract.",
    )
    signed_document_id = fields.Many2one(
        "ir.attachment",
        string="Signed Contract (PDF)",
        copy=False,
        readonly=True,
        help="The PDF stored at the online signature; printing, downloading "
        "and sending the signed contract serve this very file.",
    )
    signed_by = fields.Char(copy=False, tracking=True)
    signed_by_partner_id = fields.Many2one(
        "res.partner",
        string="Signed By (Account)",
        copy=False,
        readonly=True,
        help="The account that signed online; empty when the contract was "
        "signed from a link without logging in (see the name typed).",
    )
    signature = fields.Image(copy=False, max_width=1024, max_height=1024)

    doc_partner_address = fields.Html(compute="_compute_document_values")
    doc_sites = fields.Html(compute="_compute_document_values")
    doc_services = fields.Html(compute="_compute_document_values")
    doc_amount_annual = fields.Char(compute="_compute_document_values")
    doc_firm_term = fields.Char(compute="_compute_document_values")
    doc_renewal = fields.Char(compute="_compute_document_values")
    doc_notice = fields.Char(compute="_compute_document_values")
    doc_notice_deadline = fields.Char(compute="_compute_document_values")
    doc_invoicing = fields.Char(compute="_compute_document_values")
    doc_date_start = fields.Char(compute="_compute_document_values")
    doc_date_end = fields.Char(compute="_compute_document_values")
    doc_today = fields.Char(compute="_compute_document_values")
    doc_company_address = fields.Html(compute="_compute_document_values")

    # Guarded fields (see service_lifecycle_guard.py).
    def _get_lifecycle_actions(self):
        return (*super()._get_lifecycle_actions(), "_portal_sign", "_sign_offline")

    def _get_action_fields(self):
        return (
            *super()._get_action_fields(),
            "document_frozen",
            "signed_document_id",
            "signed_by",
            "signed_by_partner_id",
            "signature",
            "sent_document_hash",
            "document_hash",
        )

    def _get_frozen_fields(self):
        return (*super()._get_frozen_fields(), "document_body")

    def _check_lifecycle_write(self, vals):
        res = super()._check_lifecycle_write(vals)
        # Sent for signature: what the customer signs does not change.
        self._check_waiting_unchanged(vals)
        return res

    def _compute_access_url(self):
        res = super()._compute_access_url()
        for contract in self:
            contract.access_url = f"/my/contracts/{contract.id}"
        return res

    def _selection_label(self, field, value):
        return selection_label(self, field, value)

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

    def _get_document_placeholders(self):
        return [*super()._get_document_placeholders(), *DOCUMENT_PLACEHOLDERS]

    @api.model
    def _document_list(self, items, empty):
        """A placeholder's list: ``items`` (Markup) as a bulleted list, or,
        when there are none, the sentence ``empty``, so that the text
        announcing the list ("on the following sites:") still reads well."""
        if not items:
            return Markup("<p><em>%s</em></p>") % empty
        return Markup("<ul>%s</ul>") % Markup("").join(
            Markup("<li>%s</li>") % item for item in items
        )

    @api.model
    def _list_document_placeholders(self):
        """``[(expression, label)]`` of the placeholders, by sequence."""
        placeholders = sorted(
            self._get_document_placeholders(), key=lambda placeholder: placeholder[0]
        )
        return [(expression, label) for _sequence, expression, label in placeholders]

    def mail_allowed_qweb_expressions(self):
        return super().mail_allowed_qweb_expressions() + tuple(
            expression for expression, _label in self._list_document_placeholders()
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
            contract.doc_sites = self._document_list(
                [
                    Markup("<strong>%s</strong><br/>%s")
                    % (site.name, self._address_html(site))
                    for site in contract.site_ids
                ],
                env._(
                    "No site designated: the services are performed at the "
                    "customer's address."
                ),
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
            if not contract.line_ids:
                contract.doc_services = self._document_list(
                    [], env._("No service listed.")
                )
            contract.doc_amount_annual = format_amount(
                env, contract.amount_annual, currency
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
            contract.doc_today = format_date(env, contract._document_date())

    def _document_date(self):
        """The date the document is made, the one it states: the company's
        day when it is issued, or the signature date already recorded (a
        contract signed on paper and entered afterwards, an imported one):
        the document of a contract signed in 2024 is dated 2024, whatever
        the day it is rendered again."""
        self.ensure_one()
        today = self.company_id._service_today()
        return min(self.date_signed, today) if self.date_signed else today

    # ------------------------------------------------------------------
    # Rendering and freezing
    # ------------------------------------------------------------------

    def _get_signed_fields(self):
        """What the customer signs besides the text: the figures billed and
        the terms (see service_signed_document.py)."""
        return {
            **dict.fromkeys(
                (
                    "partner_id",
                    "currency_id",
                    "date_start",
                    "duration",
                    "duration_unit",
                    "renewal_type",
                    "renewal_duration",
                    "renewal_unit",
                    "notice_period",
                    "notice_unit",
                    "invoicing_frequency",
                    "invoicing_mode",
                    "prorata",
                    "payment_term_id",
                    "note",
                    "site_ids",
                    *self._get_revision_clause_fields(),
                )
            ),
            "revision_term_ids": dict.fromkeys(("index_id", "weight")),
            "line_ids": dict.fromkeys(
                (
                    "product_id",
                    "name",
                    "quantity",
                    "price_unit",
                    "discount",
                    "tax_ids",
                    "price_subtotal",
                    "equipment_ids",
                )
            ),
            "visit_plan_ids": dict.fromkeys(
                self.env["service.visit.plan"]._get_signed_fields()
            ),
        }

    def _get_waiting_frozen_fields(self):
        """The template too: choosing another one recomputes the terms."""
        return super()._get_waiting_frozen_fields() | {"template_id"}

    def _get_signature_changed_message(self):
        return self.env._(
            "Contract %(name)s changed since it was sent to you or since you "
            "opened this page (its text or its figures): it cannot be signed. "
            "Reload the page to read the current version, or ask %(company)s "
            "for a new one.",
            name=self.name,
            company=self.company_id.name,
        )

    def _document_renderers(self):
        """Who renders each contract's document: {contract: user}.

        Never the superuser: the current internal user, else (portal
        signature, quotation accepted online) the contract's responsible if
        they can read it, else the first contract manager of the contract's
        company (the superuser account excluded).
        """
        user = self.env.user
        # Portal routes work on records of the superuser (uid 1, not su).
        if not self.env.su and self.env.uid != SUPERUSER_ID and user._is_internal():
            return dict.fromkeys(self, user)
        renderers = {}
        for responsible, contracts in self.grouped("user_id").items():
            if responsible and not responsible.share and responsible.id != SUPERUSER_ID:
                readable = contracts.with_user(responsible)._filtered_access("read")
                renderers.update(dict.fromkeys(readable, responsible))
        orphans = self.filtered(lambda c: c not in renderers)
        if orphans:
            managers = (
                self.env["res.users"]
                .sudo()
                .search(
                    [
                        (
                            "groups_id",
                            "in",
                            self.env.ref(
                                "service_contract.group_service_contract_manager"
                            ).id,
                        ),
                        ("share", "=", False),
                        ("id", "!=", SUPERUSER_ID),
                        ("company_ids", "in", orphans.company_id.ids),
                    ],
                    order="id",
                )
            )
            for contract in orphans:
                renderers[contract] = managers.filtered(
                    lambda u, c=contract: c.company_id in u.company_ids
                )[:1]
        missing = [c.name for c, renderer in renderers.items() if not renderer]
        if missing:
            raise UserError(
                self.env._(
                    "Set a responsible on contract(s) %(names)s: their document "
                    "is rendered on behalf of the responsible.",
                    names=", ".join(missing),
                )
            )
        return renderers

    def _render_document(self):
        """The template's document for each contract, in the customer's
        language, rendered by mail.render.mixin as a real user (never the
        superuser, so that restricted rendering applies): {contract id: html}.
        """
        result = {}
        renderers = self._document_renderers()
        groups = self.grouped(
            lambda c: (
                c.template_id,
                c.partner_id.lang or False,
                renderers[c],
                c.company_id,
            )
        )
        for (template, lang, renderer, company), contracts in groups.items():
            if not template or not template.document_body:
                result.update(dict.fromkeys(contracts.ids, False))
                continue
            result.update(
                template.with_user(renderer)
                .with_company(company)
                ._render_field("document_body", contracts.ids, set_lang=lang)
            )
        return result

    def action_render_document(self):
        """(Re)issue the document from the template: drafts only."""
        frozen = self.filtered(lambda c: c.document_frozen or c.state != "draft")
        if frozen:
            raise UserError(
                self.env._(
                    "The document of a contract sent for signature or signed "
                    "cannot change; set the contract back to draft to issue a "
                    "new version: %(names)s",
                    names=", ".join(frozen.mapped("name")),
                )
            )
        self._issue_document()
        return True

    def _issue_document(self):
        for contract_id, body in self._render_document().items():
            self.browse(contract_id).document_body = body

    def _freeze_document(self):
        """At signature: keep the text as issued (it is not rendered again:
        the customer signs what was sent) with its fingerprint."""
        to_freeze = self.filtered(lambda c: not c.document_frozen)
        to_freeze.filtered(lambda c: not c.document_body)._issue_document()
        for contract in to_freeze:
            contract.write(
                {
                    "document_frozen": True,
                    "document_hash": contract._signature_fingerprint(),
                }
            )

    def _store_signed_pdf(self):
        """Render the signed contract once and link it: printing, the portal
        and emails then serve this attachment, found by id (never by name)."""
        self._attach_pdf(
            "service_contract.action_report_service_contract",
            "signed_document_id",
            lambda contract: f"{contract.name.replace('/', '-')} - signed.pdf",
        )

    def _on_sent(self):
        res = super()._on_sent()
        self.filtered(lambda c: not c.document_body)._issue_document()
        for contract in self:
            contract.sent_document_hash = contract._signature_fingerprint()
        return res

    def _on_signed(self):
        res = super()._on_signed()
        self._freeze_document()
        return res

    def _on_reset_to_draft(self):
        res = super()._on_reset_to_draft()
        self.write(
            {
                "document_frozen": False,
                "document_hash": False,
                "sent_document_hash": False,
                "signed_by": False,
                "signed_by_partner_id": False,
                "signature": False,
            }
        )
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

    def _get_portal_sign_refusal(self, reason):
        if reason == "state":
            return self.env._(
                "Contract %(name)s cannot be signed: it is not waiting "
                "for a signature.",
                name=self.name,
            )
        return self.env._(
            "Only %(signatory)s can sign contract %(name)s.",
            signatory=self.signatory_id.name,
            name=self.name,
        )

    @lifecycle_action
    def _portal_sign(self, name, signature, document_hash=None, user=None):
        """``user`` (the portal visitor, by default the current user) signs
        online the document they were shown (its fingerprint is
        ``document_hash``, when given: see ``_signature_fingerprint``): record
        who, when and the signature, run the contract, and tell the
        responsible."""
        self.ensure_one()
        user = user or self.env.user
        self._check_portal_sign(name, signature, document_hash, user)
        self.write(
            {
                "signed_by": name,
                "signature": signature,
                "signed_by_partner_id": False
                if user._is_public()
                else user.partner_id.id,
            }
        )
        self.action_sign()
        self._store_signed_pdf()
        author = self._get_portal_signer(user)
        self.message_post(
            body=self.env._(
                "Signed online by %(name)s (document fingerprint %(hash)s).",
                name=name,
                hash=self.document_hash,
            ),
            author_id=author.id,
            attachment_ids=self.signed_document_id.ids,
            partner_ids=self.user_id.partner_id.ids,
            subtype_xmlid="mail.mt_comment",
        )
        return True

    def action_open_sign_wizard(self):
        """Mark as Signed: the signature date and the signed document."""
        self.ensure_one()
        return self._open_wizard("service.contract.sign", self.env._("Mark as Signed"))

    @lifecycle_action
    def _sign_offline(self, date_signed, content=None, reason=None):
        """Record a signature given outside the portal on ``date_signed``:
        the contract runs, its signed document is ``content`` (the signed
        PDF) or, without one, the contract's document rendered now, and the
        chatter says which (with ``reason``)."""
        self.ensure_one()
        self.action_sign(date_signed=date_signed)
        if content:
            self.signed_document_id = self.env["ir.attachment"].create(
                self._prepare_file_vals(
                    f"{self.name.replace('/', '-')} - signed.pdf", content
                )
            )
            body = self.env._(
                "Marked as signed on %(date)s; the signed copy is attached.",
                date=format_date(self.env, self.date_signed),
            )
        else:
            self._store_signed_pdf()
            body = self.env._(
                "Marked as signed on %(date)s without a signed copy (%(reason)s); "
                "the contract's document is kept as signed.",
                date=format_date(self.env, self.date_signed),
                reason=reason,
            )
        self.message_post(body=body, attachment_ids=self.signed_document_id.ids)
        return True

    @api.model
    def _get_thread_with_access(self, thread_id, mode="read", **kwargs):
        """Chatter routes (messages, posts, uploads) of the portal: no access
        by token to drafts and cancelled contracts."""
        thread = super()._get_thread_with_access(thread_id, mode=mode, **kwargs)
        if (
            thread
            and thread.state not in PORTAL_CONTRACT_STATES
            and not self.env.user._is_internal()
        ):
            return self.browse()
        return thread

    def _get_portal_return_action(self):
        return self.env.ref("service_contract.service_contract_action")
