"""Amendments (avenants): a signed change of a running contract from a date,
its lines, sites, visit plans and terms, with its own document, printed,
sent and signed on paper or on the portal like a contract."""

from datetime import timedelta

from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount, format_date

from .service_lifecycle_guard import lifecycle_action

# States in which the customer sees an amendment on the portal.
PORTAL_AMENDMENT_STATES = ("to_sign", "done")


class ServiceContractAmendment(models.Model):
    _name = "service.contract.amendment"
    _description = "Contract Amendment"
    _inherit = [
        "mail.thread",
        "mail.activity.mixin",
        "portal.mixin",
        "service.mail.compose.mixin",
        "service.lifecycle.guard",
        "service.signed.document.mixin",
        "service.stored.pdf.mixin",
    ]
    _order = "date_effective desc, id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Reference",
        required=True,
        copy=False,
        readonly=True,
        index="trigram",
        default=lambda self: self.env._("New"),
    )
    contract_id = fields.Many2one(
        "service.contract",
        required=True,
        ondelete="cascade",
        index=True,
        check_company=True,
        tracking=True,
    )
    company_id = fields.Many2one(
        related="contract_id.company_id", store=True, index=True
    )
    currency_id = fields.Many2one(related="contract_id.currency_id")
    partner_id = fields.Many2one(related="contract_id.partner_id", string="Customer")
    commercial_partner_id = fields.Many2one(
        related="contract_id.commercial_partner_id", store=True, index=True
    )
    signatory_id = fields.Many2one(related="contract_id.signatory_id")
    user_id = fields.Many2one(related="contract_id.user_id", string="Responsible")
    date_effective = fields.Date(
        string="Effective Date",
        required=True,
        default=lambda self: self.env.company._service_today(),
        tracking=True,
        help="The contract changes from this day on.",
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("to_sign", "To Sign"),
            ("done", "Signed"),
            ("cancel", "Cancelled"),
        ],
        default="draft",
        required=True,
        copy=False,
        index=True,
        tracking=True,
    )
    line_ids = fields.One2many(
        "service.contract.amendment.line",
        "amendment_id",
        string="Services",
        copy=True,
    )
    site_add_ids = fields.Many2many(
        "res.partner",
        "service_contract_amendment_site_add_rel",
        "amendment_id",
        "site_id",
        string="Sites to Add",
        check_company=True,
        domain="[('type', '=', 'site'), "
        "('commercial_partner_id', '=', commercial_partner_id)]",
    )
    site_remove_ids = fields.Many2many(
        "res.partner",
        "service_contract_amendment_site_remove_rel",
        "amendment_id",
        "site_id",
        string="Sites to Remove",
        check_company=True,
        domain="[('id', 'in', contract_site_ids)]",
    )
    contract_site_ids = fields.Many2many(related="contract_id.site_ids")
    plan_ids = fields.One2many(
        "service.visit.plan",
        "amendment_id",
        string="New Visit Plans",
        help="Visit plans the amendment adds; their visits start on the "
        "effective date.",
    )
    plan_end_ids = fields.Many2many(
        "service.visit.plan",
        "service_contract_amendment_plan_end_rel",
        "amendment_id",
        "plan_id",
        string="Visit Plans to End",
        domain="[('contract_id', '=', contract_id), ('amendment_pending', '=', False)]",
        help="Visit plans that end the day before the effective date.",
    )
    terms = fields.Html(
        string="New Terms",
        help="When set, replaces the terms and conditions of the contract.",
    )
    amount_before = fields.Monetary(
        string="Amount per Period Before", compute="_compute_amounts"
    )
    amount_after = fields.Monetary(
        string="Amount per Period After", compute="_compute_amounts"
    )
    document_body = fields.Html(
        string="Document",
        copy=False,
        sanitize_attributes=False,
        help="The amendment's text, issued when it is sent for signature.",
    )
    # Sanitised when computed (as the issued document_body): the template's
    # text it renders never brings a script to the form, report or portal.
    document_preview = fields.Html(
        string="Preview",
        compute="_compute_document_preview",
        sanitize_attributes=False,
        help="The document as issued, or as it would be issued now.",
    )
    sent_document_hash = fields.Char(
        string="Fingerprint of the Document Sent",
        copy=False,
        readonly=True,
        help="SHA-256 of the amendment's text and figures when it was sent for "
        "signature: the customer can only sign that very amendment.",
    )
    document_hash = fields.Char(
        string="Document Fingerprint (SHA-256)",
        copy=False,
        readonly=True,
        help="SHA-256 of the signed text and figures.",
    )
    date_signed = fields.Date(string="Signature Date", copy=False, readonly=True)
    signed_by = fields.Char(copy=False, readonly=True)
    signature = fields.Image(copy=False, max_width=1024, max_height=1024)
    signed_document_id = fields.Many2one(
        "ir.attachment",
        string="Signed Amendment (PDF)",
        copy=False,
        readonly=True,
    )
    catch_up_amount = fields.Monetary(
        string="Adjustment",
        copy=False,
        readonly=True,
        help="Difference on the periods already invoiced after the effective "
        "date: added to the next invoice (a credit when negative).",
    )
    move_id = fields.Many2one(
        "account.move",
        string="Adjustment Invoice",
        copy=False,
        readonly=True,
        ondelete="set null",
        check_company=True,
    )

    _sql_constraints = [
        (
            "name_company_uniq",
            "unique(name, company_id)",
            "An amendment reference must be unique per company.",
        ),
    ]

    @api.depends(
        "line_ids.price_subtotal",
        "line_ids.remove",
        "line_ids.contract_line_id",
        "line_ids.quantity_before",
        "line_ids.price_before",
    )
    def _compute_amounts(self):
        for amendment in self:
            lines = amendment.line_ids
            before = sum(
                line.currency_id.round(
                    line.quantity_before * line.price_before * (1 - line.discount / 100)
                )
                for line in lines
                if line.contract_line_id
            )
            amendment.amount_before = before
            amendment.amount_after = sum(
                lines.filtered(lambda ln: not ln.remove).mapped("price_subtotal")
            )

    @api.depends("document_body", "line_ids", "date_effective")
    def _compute_document_preview(self):
        for amendment in self:
            if amendment.document_body:
                amendment.document_preview = amendment.document_body
            elif amendment.contract_id:
                amendment.document_preview = (
                    amendment._render_intro() + amendment._changes_html()
                )
            else:
                amendment.document_preview = False

    # Guarded fields (see service_lifecycle_guard.py).
    def _get_lifecycle_actions(self):
        return (
            *super()._get_lifecycle_actions(),
            "action_to_sign",
            "action_sign",
            "action_cancel",
            "action_draft",
            "_apply",
            "_portal_sign",
        )

    def _get_action_fields(self):
        return (
            "state",
            "sent_document_hash",
            "document_hash",
            "date_signed",
            "signed_by",
            "signature",
            "signed_document_id",
            "catch_up_amount",
            "move_id",
        )

    def _get_create_only_fields(self):
        return ("contract_id",)

    def _get_frozen_fields(self):
        return (
            "date_effective",
            "line_ids",
            "site_add_ids",
            "site_remove_ids",
            "plan_ids",
            "plan_end_ids",
            "terms",
            "document_body",
        )

    def _is_frozen(self):
        self.ensure_one()
        return self.state != "draft"

    def _get_frozen_message(self, labels):
        return self.env._(
            "Amendments sent for signature, signed or cancelled cannot change "
            "(%(fields)s): %(names)s",
            fields=labels,
            names=", ".join(self.mapped("name")),
        )

    @api.model_create_multi
    def create(self, vals_list):
        self._check_lifecycle_create(vals_list)
        contracts = self.env["service.contract"].browse(
            [vals["contract_id"] for vals in vals_list if vals.get("contract_id")]
        )
        contracts._check_amendable()
        for vals in vals_list:
            if vals.get("name", self.env._("New")) == self.env._("New"):
                company = contracts.browse(vals.get("contract_id")).company_id
                vals["name"] = self.env["ir.sequence"].with_company(
                    company or self.env.company
                ).next_by_code("service.contract.amendment") or self.env._("New")
        return super().create(vals_list)

    def write(self, vals):
        self._check_lifecycle_write(vals)
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_signed(self):
        if any(amendment.state not in ("draft", "cancel") for amendment in self):
            raise UserError(
                self.env._(
                    "Only draft or cancelled amendments can be deleted: %(names)s",
                    names=", ".join(self.mapped("name")),
                )
            )

    def _compute_access_url(self):
        res = super()._compute_access_url()
        for amendment in self:
            amendment.access_url = f"/my/amendments/{amendment.id}"
        return res

    def _get_portal_return_action(self):
        return self.env.ref("service_contract.service_contract_amendment_action")

    # ------------------------------------------------------------------
    # Checks
    # ------------------------------------------------------------------

    def _check_state_in(self, states, message):
        wrong = self.filtered(lambda a: a.state not in states)
        if wrong:
            raise UserError(message % {"names": ", ".join(wrong.mapped("name"))})

    def _check_applicable(self):
        """Refuse, before anything changes, an amendment that cannot apply."""
        for amendment in self:
            contract = amendment.contract_id
            if amendment.state == "done":
                raise UserError(
                    self.env._(
                        "Amendment %(name)s is already signed and applied.",
                        name=amendment.name,
                    )
                )
            if amendment.state == "cancel":
                raise UserError(
                    self.env._(
                        "Amendment %(name)s is cancelled: it cannot be signed.",
                        name=amendment.name,
                    )
                )
            contract._check_amendable()
            start = contract._get_current_term()[0]
            end = contract._get_service_end()
            if not (start <= amendment.date_effective <= end):
                raise UserError(
                    self.env._(
                        "Amendment %(name)s: the effective date %(date)s is "
                        "outside the current term of contract %(contract)s "
                        "(%(start)s to %(end)s).",
                        name=amendment.name,
                        date=format_date(self.env, amendment.date_effective),
                        contract=contract.name,
                        start=format_date(self.env, start),
                        end=format_date(self.env, end),
                    )
                )

    # ------------------------------------------------------------------
    # Document
    # ------------------------------------------------------------------

    def _get_signed_fields(self):
        """What the customer signs besides the text (see
        service_signed_document.py); frozen once sent (``_is_frozen``)."""
        return {
            **dict.fromkeys(
                (
                    "contract_id",
                    "date_effective",
                    "terms",
                    "site_add_ids",
                    "site_remove_ids",
                    "plan_end_ids",
                )
            ),
            "line_ids": dict.fromkeys(
                (
                    "contract_line_id",
                    "product_id",
                    "name",
                    "quantity",
                    "price_unit",
                    "discount",
                    "remove",
                    "quantity_before",
                    "price_before",
                    "price_subtotal",
                )
            ),
            "plan_ids": dict.fromkeys(
                self.env["service.visit.plan"]._get_signed_fields()
            ),
        }

    def _get_signature_changed_message(self):
        return self.env._(
            "Amendment %(name)s changed since it was sent to you or since you "
            "opened this page (its text or its figures): it cannot be signed. "
            "Reload the page to read the current version, or ask %(company)s "
            "for a new one.",
            name=self.name,
            company=self.company_id.name,
        )

    def _render_intro(self):
        """The amendment text of the contract's template, rendered on the
        contract with the contract placeholders, in the customer's language;
        a standard sentence when the template has none."""
        self.ensure_one()
        contract = self.contract_id
        template = contract.template_id
        env = self.with_context(lang=contract.partner_id.lang or self.env.lang).env
        if template and template.amendment_body:
            renderer = contract._document_renderers()[contract]
            body = (
                template.with_user(renderer)
                .with_company(contract.company_id)
                ._render_field(
                    "amendment_body",
                    contract.ids,
                    set_lang=contract.partner_id.lang or False,
                )[contract.id]
            )
            if body:
                return Markup(body)
        return Markup("<p>%s</p>") % env._(
            "Between %(company)s and %(customer)s, contract %(contract)s is "
            "amended as follows.",
            company=contract.company_id.name,
            customer=contract.partner_id.name,
            contract=contract.name,
        )

    def _changes_html(self):
        """What changes, old -> new, in the customer's language."""
        self.ensure_one()
        contract = self.contract_id
        env = self.with_context(lang=contract.partner_id.lang or self.env.lang).env
        currency = self.currency_id

        def money(amount):
            return format_amount(env, amount, currency)

        rows = []
        for line in self.line_ids:
            name = line.name or line.product_id.display_name or ""
            quantity = "%g" % line.quantity
            quantity_before = "%g" % line.quantity_before
            if line.change == "new":
                change = env._(
                    "New service: %(quantity)s x %(price)s",
                    quantity=quantity,
                    price=money(line.price_unit),
                )
            elif line.change == "remove":
                change = env._("Removed")
            elif line.change == "change":
                change = env._(
                    "%(old_quantity)s x %(old_price)s -> %(quantity)s x %(price)s",
                    old_quantity=quantity_before,
                    old_price=money(line.price_before),
                    quantity=quantity,
                    price=money(line.price_unit),
                )
            else:
                continue
            rows.append(Markup("<tr><td>%s</td><td>%s</td></tr>") % (name, change))
        parts = [
            Markup("<p><strong>%s</strong></p>")
            % env._(
                "Amendment %(name)s, effective %(date)s.",
                name=self.name,
                date=format_date(env, self.date_effective),
            )
        ]
        if rows:
            parts.append(
                Markup(
                    "<table class='table table-sm o_amendment_changes'><thead><tr>"
                    "<th>%s</th><th>%s</th></tr></thead><tbody>%s</tbody></table>"
                )
                % (env._("Service"), env._("Change"), Markup("").join(rows))
            )
            parts.append(
                Markup("<p>%s</p>")
                % env._(
                    "Amount per period (untaxed): %(before)s -> %(after)s",
                    before=money(self.amount_before),
                    after=money(self.amount_after),
                )
            )
        for label, sites in (
            (env._("Sites added"), self.site_add_ids),
            (env._("Sites removed"), self.site_remove_ids),
        ):
            if sites:
                parts.append(
                    Markup("<p>%s: %s</p>")
                    % (label, ", ".join(sites.mapped("display_name")))
                )
        for plan in self.plan_ids:
            site = " (%s)" % plan.site_id.name if plan.site_id else ""
            parts.append(
                Markup("<p>%s</p>")
                % env._(
                    "New visits: %(visit)s, %(frequency)s%(site)s",
                    visit=plan.name,
                    frequency=contract._visit_frequency(plan),
                    site=site,
                )
            )
        for plan in self.plan_end_ids:
            parts.append(
                Markup("<p>%s</p>") % env._("Visits ended: %(visit)s", visit=plan.name)
            )
        if self.terms:
            parts.append(Markup("<p>%s</p>") % env._("New terms and conditions:"))
            parts.append(Markup(self.terms))
        parts.append(
            Markup("<p>%s</p>")
            % env._("The other clauses of the contract are unchanged.")
        )
        return Markup("").join(parts)

    def _issue_document(self):
        for amendment in self:
            amendment.document_body = amendment._render_intro() + (
                amendment._changes_html()
            )

    def action_render_document(self):
        self._check_state_in(
            ("draft",),
            self.env._("Only draft amendments can issue their document: %(names)s"),
        )
        self._issue_document()
        return True

    def _store_signed_pdf(self):
        """Render the signed amendment once, kept on the contract."""
        self._attach_pdf(
            "service_contract.action_report_contract_amendment",
            "signed_document_id",
            lambda amendment: f"{amendment.name.replace('/', '-')} - signed.pdf",
            get_owner=lambda amendment: amendment.contract_id,
        )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    @lifecycle_action
    def action_to_sign(self):
        """Issue the document and wait for the customer's signature."""
        self._check_state_in(
            ("draft",),
            self.env._("Only draft amendments can be sent for signature: %(names)s"),
        )
        self._check_applicable()
        self.filtered(lambda a: not a.document_body)._issue_document()
        self.write({"state": "to_sign"})
        for amendment in self:
            amendment.sent_document_hash = amendment._signature_fingerprint()
        return True

    def action_send_by_email(self):
        """Send the amendment (PDF and link to sign online) to the customer."""
        self.ensure_one()
        if self.state == "draft":
            self.action_to_sign()
        return self._action_compose(
            "service_contract.mail_template_amendment_send", force_email=True
        )

    @lifecycle_action
    def action_sign(self, date_signed=None):
        """Record the customer's signature (on paper, or online through
        ``_portal_sign``): the amendment is done and applies to the contract."""
        self._check_applicable()
        for amendment in self:
            if not amendment.document_body:
                amendment._issue_document()
            today = amendment.company_id._service_today()
            amendment.write(
                {
                    "state": "done",
                    "date_signed": date_signed or today,
                    "document_hash": amendment._signature_fingerprint(),
                }
            )
            amendment._apply()
        return True

    @lifecycle_action
    def action_cancel(self):
        self._check_state_in(
            ("draft", "to_sign"),
            self.env._("Only amendments not signed yet can be cancelled: %(names)s"),
        )
        self.write({"state": "cancel"})
        return True

    @lifecycle_action
    def action_draft(self):
        self._check_state_in(
            ("to_sign", "cancel"),
            self.env._(
                "Only amendments waiting for signature or cancelled can be set "
                "back to draft: %(names)s"
            ),
        )
        self.write(
            {"state": "draft", "document_body": False, "sent_document_hash": False}
        )
        return True

    def action_view_contract(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "service.contract",
            "view_mode": "form",
            "res_id": self.contract_id.id,
        }

    # ------------------------------------------------------------------
    # Application to the contract
    # ------------------------------------------------------------------

    @lifecycle_action
    def _apply(self):
        """Change the contract from the effective date: services, billing
        schedule (the price revision's repricing: prorated period, later
        periods at the new amount, catch-up of the invoiced periods), sites,
        visit plans and visits, terms."""
        self.ensure_one()
        contract = self.contract_id
        date = self.date_effective
        old_amount = contract.amount_untaxed
        self._apply_lines()
        catch_ups = contract._reprice_periods({contract: date}, {contract: old_amount})
        self.catch_up_amount = catch_ups.get(contract, 0.0)
        self._apply_sites_and_plans()
        if self.terms:
            contract.note = self.terms
        self._log_on_contract()

    def _apply_lines(self):
        self.ensure_one()
        contract = self.contract_id
        removed = self.env["service.contract.line"]
        new_vals = []
        for line in self.line_ids:
            current = line.contract_line_id
            if line.remove:
                removed |= current
            elif not current:
                new_vals.append(
                    line._prepare_contract_line_vals() | {"contract_id": contract.id}
                )
            elif line.change == "change" or (
                line.quantity,
                line.price_unit,
            ) != (current.quantity, current.price_unit):
                current.write(
                    {
                        "quantity": line.quantity,
                        "price_unit": line.price_unit,
                        "discount": line.discount,
                        "name": line.name,
                    }
                )
        removed.unlink()
        if new_vals:
            self.env["service.contract.line"].create(new_vals)

    def _apply_sites_and_plans(self):
        self.ensure_one()
        contract = self.contract_id
        date = self.date_effective
        if self.site_add_ids or self.site_remove_ids:
            contract.site_ids = [
                Command.link(site.id) for site in self.site_add_ids
            ] + [Command.unlink(site.id) for site in self.site_remove_ids]
        self.plan_ids.write({"date_from": date})
        # The plans of a site removed end with it.
        ended = self.plan_end_ids | contract.visit_plan_ids.filtered(
            lambda p: p.site_id and p.site_id in self.site_remove_ids
        )
        ended.write({"date_to": date - timedelta(days=1)})
        # Open visits of what ends are cancelled from the date; done ones stay.
        contract.intervention_ids.filtered(
            lambda i: i.state in ("to_plan", "planned")
            and i.date_due >= date
            and (i.site_id in self.site_remove_ids or i.plan_id in ended)
        ).write({"state": "cancel"})
        contract.invalidate_recordset(["visit_plan_ids"])
        contract._generate_interventions(contract.company_id._service_today())

    def _log_on_contract(self):
        self.ensure_one()
        contract = self.contract_id
        body = self.env._(
            "Amendment %(name)s signed: the contract changes from %(date)s.",
            name=self.name,
            date=format_date(self.env, self.date_effective),
        )
        if not self.currency_id.is_zero(self.catch_up_amount):
            body += " " + self.env._(
                "Periods already invoiced: an adjustment of %(amount)s goes on "
                "the next invoice.",
                amount=format_amount(self.env, self.catch_up_amount, self.currency_id),
            )
        contract.message_post(body=body)

    # ------------------------------------------------------------------
    # Portal signature
    # ------------------------------------------------------------------

    def _get_portal_sign_refusal(self, reason):
        if reason == "state":
            return self.env._(
                "Amendment %(name)s cannot be signed: it is not waiting for "
                "a signature.",
                name=self.name,
            )
        return self.env._(
            "Only %(signatory)s can sign amendment %(name)s.",
            signatory=self.contract_id.signatory_id.name,
            name=self.name,
        )

    @lifecycle_action
    def _portal_sign(self, name, signature, document_hash=None, user=None):
        """The customer signs online the amendment they were shown (its
        fingerprint is ``document_hash``, when given: see
        ``_signature_fingerprint``): the same ``action_sign`` as on paper."""
        self.ensure_one()
        user = user or self.env.user
        self._check_portal_sign(name, signature, document_hash, user)
        self.write({"signed_by": name, "signature": signature})
        self.action_sign()
        self._store_signed_pdf()
        author = self._get_portal_signer(user)
        body = self.env._(
            "Amendment %(name)s signed online by %(signer)s.",
            name=self.name,
            signer=name,
        )
        self.message_post(
            body=body,
            author_id=author.id,
            subtype_xmlid="mail.mt_comment",
        )
        self.contract_id.message_post(
            body=body,
            author_id=author.id,
            attachment_ids=self.signed_document_id.ids,
            partner_ids=self.contract_id.user_id.partner_id.ids,
            subtype_xmlid="mail.mt_note",
        )
        return True

    @api.model
    def _get_thread_with_access(self, thread_id, mode="read", **kwargs):
        thread = super()._get_thread_with_access(thread_id, mode=mode, **kwargs)
        if (
            thread
            and thread.state not in PORTAL_AMENDMENT_STATES
            and not self.env.user._is_internal()
        ):
            return self.browse()
        return thread


class ServiceContract(models.Model):
    """The amendments of a contract: the Amend button and the history."""

    _inherit = "service.contract"

    amendment_ids = fields.One2many(
        "service.contract.amendment", "contract_id", string="Amendments"
    )
    amendment_count = fields.Integer(compute="_compute_amendment_count")
    visit_plan_ids = fields.One2many(domain=[("amendment_pending", "=", False)])

    def _compute_amendment_count(self):
        counts = dict(
            self.env["service.contract.amendment"]._read_group(
                [("contract_id", "in", self.ids)], ["contract_id"], ["__count"]
            )
        )
        for contract in self:
            contract.amendment_count = counts.get(contract, 0)

    def _check_amendable(self):
        wrong = self.filtered(lambda c: c.state != "running")
        if wrong:
            raise UserError(
                self.env._(
                    "Only running contracts can be amended; draft, cancelled "
                    "and ended contracts cannot: %(names)s",
                    names=", ".join(wrong.mapped("name")),
                )
            )

    def _prepare_amendment_vals(self):
        """A draft amendment holding the current services."""
        self.ensure_one()
        return {
            "contract_id": self.id,
            "date_effective": max(
                self.company_id._service_today(), self._get_current_term()[0]
            ),
            "line_ids": [
                Command.create(
                    {
                        "contract_line_id": line.id,
                        "sequence": line.sequence,
                        "product_id": line.product_id.id,
                        "name": line.name,
                        "quantity": line.quantity,
                        "price_unit": line.price_unit,
                        "discount": line.discount,
                        "quantity_before": line.quantity,
                        "price_before": line.price_unit,
                    }
                )
                for line in self.line_ids
            ],
        }

    def action_amend(self):
        """Draw up a draft amendment of this running contract."""
        self.ensure_one()
        self._check_amendable()
        amendment = self.env["service.contract.amendment"].create(
            self._prepare_amendment_vals()
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Amendment"),
            "res_model": "service.contract.amendment",
            "view_mode": "form",
            "res_id": amendment.id,
        }

    def action_view_amendments(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Amendments"),
            "res_model": "service.contract.amendment",
            "view_mode": "list,form",
            "domain": [("contract_id", "=", self.id)],
            "context": {"default_contract_id": self.id, "create": False},
        }

    def _get_visit_site_starts(self):
        """Sites added by a signed amendment get their visits from its date."""
        starts = super()._get_visit_site_starts()
        for amendment in self.amendment_ids.filtered(lambda a: a.state == "done"):
            for site in amendment.site_add_ids:
                starts[site.id] = max(
                    starts.get(site.id, amendment.date_effective),
                    amendment.date_effective,
                )
        return starts


class ServiceContractTemplate(models.Model):
    _inherit = "service.contract.template"

    amendment_body = fields.Html(
        string="Amendment Document",
        translate=True,
        render_engine="qweb",
        sanitize="email_outgoing",
        help="Opening text of the amendments of contracts made from this "
        "template, with the same placeholders as the contract document; the "
        "list of the changes follows it.",
    )

    @api.constrains("amendment_body")
    def _check_amendment_body(self):
        for template in self:
            template._check_placeholders(
                "amendment_body",
                lambda lang, constructs, template=template: self.env._(
                    "Template %(name)s (%(lang)s): unknown placeholder(s) "
                    "or code refused in the amendment document: "
                    "%(constructs)s.",
                    name=template.name,
                    lang=lang,
                    constructs=constructs,
                ),
            )
