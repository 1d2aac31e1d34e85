from datetime import timedelta

from markupsafe import escape

from odoo import Command, api, fields, models, modules, tools
from odoo.exceptions import AccessError, UserError, ValidationError

from .date_utils import notice_deadline, term_end
from .locking import lock_skip_locked
from .selection import selection_label
from .service_batch_runner import write_grouped
from .service_lifecycle_guard import lifecycle_action

RUNNING_STATES = ("running",)
# Not signed yet: the agreement can still change (see _is_frozen).
UNSIGNED_STATES = ("draft", "to_sign", "cancel")
NOTICE_BY = [("customer", "Customer"), ("company", "Our company")]
TERMINATION_TYPES = [
    ("cause", "For cause"),
    ("agreement", "By mutual agreement"),
    ("other", "Other"),
]


class ServiceContract(models.Model):
    _name = "service.contract"
    _description = "Service Contract"
    _inherit = [
        "mail.thread",
        "mail.activity.mixin",
        "service.contract.terms.mixin",
        "service.state.mixin",
        "service.lifecycle.guard",
    ]
    _order = "date_start desc, id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Reference",
        required=True,
        copy=False,
        readonly=True,
        index="trigram",
        default=lambda self: self.env._("New"),
    )
    title = fields.Char(
        string="Description",
        compute="_compute_title",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("to_sign", "To Sign"),
            ("running", "Running"),
            ("closed", "Closed"),
            ("cancel", "Cancelled"),
        ],
        default="draft",
        required=True,
        copy=False,
        index=True,
        tracking=True,
        group_expand=True,
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(
        "res.currency",
        compute="_compute_currency_id",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
    )
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        default=lambda self: self.env.user,
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
        tracking=True,
        index=True,
    )
    template_id = fields.Many2one(
        "service.contract.template",
        check_company=True,
        tracking=True,
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        domain="[('type', '!=', 'site'), ('parent_id', '=', False)]",
    )
    commercial_partner_id = fields.Many2one(
        related="partner_id.commercial_partner_id", store=True, index=True
    )
    legal_category = fields.Selection(
        related="commercial_partner_id.legal_category", string="Legal Category"
    )
    partner_invoice_id = fields.Many2one(
        "res.partner",
        string="Invoice Address",
        compute="_compute_partner_addresses",
        store=True,
        readonly=False,
        precompute=True,
        check_company=True,
        domain="[('commercial_partner_id', '=', commercial_partner_id)]",
    )
    signatory_id = fields.Many2one(
        "res.partner",
        compute="_compute_partner_addresses",
        store=True,
        readonly=False,
        precompute=True,
        check_company=True,
        domain="[('commercial_partner_id', '=', commercial_partner_id), "
        "('type', '=', 'contact')]",
        help="Person who signs the contract for the customer.",
    )
    site_ids = fields.Many2many(
        "res.partner",
        "service_contract_site_rel",
        "contract_id",
        "site_id",
        string="Sites",
        check_company=True,
        domain="[('type', '=', 'site'), "
        "('commercial_partner_id', '=', commercial_partner_id)]",
        help="Places where the services are delivered.",
    )
    site_count = fields.Integer(compute="_compute_site_count")
    sale_order_id = fields.Many2one(
        "sale.order",
        string="Quotation",
        copy=False,
        readonly=True,
        index="btree_not_null",
        check_company=True,
    )
    # The smart button reads "Quotation" or "Sales Order" as the order is.
    sale_order_state = fields.Selection(
        related="sale_order_id.state",
        string="Quotation Status",
        groups="sales_team.group_sale_salesman",
    )
    line_ids = fields.One2many(
        "service.contract.line",
        "contract_id",
        string="Services",
        copy=True,
    )
    amount_untaxed = fields.Monetary(
        string="Untaxed Amount",
        compute="_compute_amount_untaxed",
        store=True,
        # A price per period (month, quarter, year) in the contract's
        # currency: a sum of several contracts' means nothing.
        aggregator=None,
    )
    note = fields.Html(string="Terms and Conditions")

    # Terms, copied from the template and editable per contract.
    duration = fields.Integer(
        compute="_compute_terms", store=True, readonly=False, precompute=True
    )
    duration_unit = fields.Selection(
        compute="_compute_terms", store=True, readonly=False, precompute=True
    )
    renewal_type = fields.Selection(
        compute="_compute_terms",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
    )
    renewal_duration = fields.Integer(
        compute="_compute_terms", store=True, readonly=False, precompute=True
    )
    renewal_unit = fields.Selection(
        compute="_compute_terms", store=True, readonly=False, precompute=True
    )
    notice_period = fields.Integer(
        compute="_compute_terms", store=True, readonly=False, precompute=True
    )
    notice_unit = fields.Selection(
        compute="_compute_terms", store=True, readonly=False, precompute=True
    )
    invoicing_frequency = fields.Selection(
        compute="_compute_terms", store=True, readonly=False, precompute=True
    )
    invoicing_mode = fields.Selection(
        compute="_compute_terms", store=True, readonly=False, precompute=True
    )
    prorata = fields.Boolean(
        compute="_compute_terms", store=True, readonly=False, precompute=True
    )
    journal_id = fields.Many2one(
        compute="_compute_terms", store=True, readonly=False, precompute=True
    )
    group_invoices = fields.Boolean(
        compute="_compute_terms", store=True, readonly=False, precompute=True
    )
    payment_term_id = fields.Many2one(
        compute="_compute_payment_term_id",
        store=True,
        readonly=False,
        precompute=True,
    )

    # Dates of the lifecycle.
    date_signed = fields.Date(string="Signature Date", copy=False, tracking=True)
    date_start = fields.Date(
        string="Start Date",
        default=lambda self: self.env.company._service_today(),
        copy=False,
        tracking=True,
    )
    date_term_start = fields.Date(
        string="Current Term Start",
        copy=False,
        readonly=True,
        help="Start of the current renewed term (empty during the firm term).",
    )
    date_end = fields.Date(
        string="End of Term",
        compute="_compute_date_end",
        store=True,
        copy=False,
        index=True,
        tracking=True,
        help="Last day of the current term.",
    )
    notice_deadline = fields.Date(
        compute="_compute_notice_deadline",
        store=True,
        copy=False,
        index=True,
        help="Last day on which the renewal can be refused.",
    )
    renewal_count = fields.Integer(
        string="Renewals", default=0, copy=False, readonly=True
    )

    # Notice (dénonciation): the renewal is refused, the contract ends at term.
    notice_date = fields.Date(
        string="Notice Received", copy=False, readonly=True, tracking=True
    )
    notice_by = fields.Selection(
        NOTICE_BY,
        string="Notice Given By",
        copy=False,
        readonly=True,
    )
    notice_reason = fields.Text(copy=False, readonly=True)

    # Termination (résiliation): the contract ends before its term.
    date_termination = fields.Date(
        string="Termination Date", copy=False, readonly=True, tracking=True
    )
    termination_type = fields.Selection(
        TERMINATION_TYPES,
        copy=False,
        readonly=True,
    )
    termination_reason = fields.Text(copy=False, readonly=True)

    date_closed = fields.Date(string="Closing Date", copy=False, readonly=True)
    close_reason = fields.Selection(
        [
            ("expired", "Term ended without renewal"),
            ("notice", "Ended after notice"),
            ("terminated", "Terminated"),
        ],
        copy=False,
        readonly=True,
        tracking=True,
    )
    date_effective_end = fields.Date(
        string="Effective End",
        compute="_compute_date_effective_end",
        store=True,
        help="Last day the contract is in force, once it is known to end: "
        "termination date, or end of the term after notice or without renewal.",
    )

    _sql_constraints = [
        (
            "name_company_uniq",
            "unique(name, company_id)",
            "A contract reference must be unique per company.",
        ),
    ]

    @api.depends("template_id")
    def _compute_title(self):
        for contract in self:
            if contract.template_id and not contract.title:
                # The template's name in the customer's language.
                lang = contract.partner_id.lang or contract.env.lang
                contract.title = contract.template_id.with_context(lang=lang).name

    @api.depends("company_id")
    def _compute_currency_id(self):
        for contract in self:
            if not contract.currency_id or contract.state == "draft":
                contract.currency_id = contract.company_id.currency_id

    @api.depends("partner_id")
    def _compute_partner_addresses(self):
        for contract in self:
            partner = contract.partner_id
            if not partner:
                contract.partner_invoice_id = False
                contract.signatory_id = False
                continue
            contract.partner_invoice_id = partner.address_get(["invoice"])["invoice"]
            signatories = partner.child_ids.filtered(
                lambda p: p.contract_role == "signatory" and p.type == "contact"
            )
            if signatories:
                contract.signatory_id = signatories[0]
            elif not partner.is_company:
                contract.signatory_id = partner
            else:
                contract.signatory_id = False

    @api.depends("site_ids")
    def _compute_site_count(self):
        for contract in self:
            contract.site_count = len(contract.site_ids)

    @api.depends("line_ids.price_subtotal")
    def _compute_amount_untaxed(self):
        for contract in self:
            contract.amount_untaxed = sum(contract.line_ids.mapped("price_subtotal"))

    @api.depends("template_id")
    def _compute_terms(self):
        term_fields = [
            name for name in self._get_terms_fields() if name != "payment_term_id"
        ]
        for contract in self:
            template = contract.template_id
            if template:
                contract.update({name: template[name] for name in term_fields})
            else:
                contract.update(contract._get_default_terms())

    @api.depends("template_id", "partner_id")
    def _compute_payment_term_id(self):
        for contract in self:
            contract.payment_term_id = (
                contract.template_id.payment_term_id
                or contract.partner_id.property_payment_term_id
                or contract.payment_term_id
            )

    def _get_default_terms(self):
        """Terms of a contract made without template: the template defaults,
        for the terms that are not set yet."""
        self.ensure_one()
        names = [name for name in self._get_terms_fields() if name != "payment_term_id"]
        defaults = self.env["service.contract.template"].default_get(names)
        return {name: self[name] or defaults.get(name) for name in names}

    @api.depends(
        "date_start",
        "date_term_start",
        "renewal_count",
        "duration",
        "duration_unit",
        "renewal_duration",
        "renewal_unit",
    )
    def _compute_date_end(self):
        for contract in self:
            start, count, unit = contract._get_current_term()
            if start and count > 0 and unit:
                contract.date_end = term_end(start, count, unit)
            else:
                contract.date_end = False

    @api.depends("date_end", "notice_period", "notice_unit")
    def _compute_notice_deadline(self):
        for contract in self:
            if contract.date_end and contract.notice_unit:
                contract.notice_deadline = notice_deadline(
                    contract.date_end, contract.notice_period, contract.notice_unit
                )
            else:
                contract.notice_deadline = False

    @api.depends("date_end", "date_termination", "notice_date", "renewal_type")
    def _compute_date_effective_end(self):
        for contract in self:
            if contract.date_termination:
                contract.date_effective_end = contract.date_termination
            elif contract.notice_date or contract.renewal_type == "none":
                contract.date_effective_end = contract.date_end
            else:
                contract.date_effective_end = False

    @api.depends("name", "title")
    def _compute_display_name(self):
        for contract in self:
            contract.display_name = (
                f"{contract.name} - {contract.title}"
                if contract.title
                else contract.name
            )

    def _get_document_placeholders(self):
        """The placeholders a contract document may use, as ``[(sequence,
        expression, label)]``: the document's own (its file) and each
        concern's (visits, price revision...) from its file, rendered by
        mail.render.mixin without evaluating any code. Listed by sequence
        (``_list_document_placeholders``)."""
        return []

    @api.constrains("partner_id", "site_ids")
    def _check_sites(self):
        for contract in self:
            foreign = contract.site_ids.filtered(
                lambda site, c=contract: site.commercial_partner_id
                != c.commercial_partner_id
            )
            if foreign:
                raise ValidationError(
                    self.env._(
                        "The sites %(sites)s do not belong to the customer "
                        "%(customer)s.",
                        sites=", ".join(foreign.mapped("display_name")),
                        customer=contract.partner_id.display_name,
                    )
                )

    @api.constrains("date_signed", "date_start", "date_termination")
    def _check_dates(self):
        for contract in self:
            if contract.date_termination and contract.date_start:
                if contract.date_termination < contract.date_start:
                    raise ValidationError(
                        self.env._(
                            "The end of contract %(name)s (%(end)s) cannot be "
                            "before its start (%(start)s).",
                            name=contract.display_name,
                            end=contract.date_termination,
                            start=contract.date_start,
                        )
                    )

    @api.constrains("date_signed")
    def _check_date_signed_not_in_future(self):
        """A signature is recorded once it is given."""
        self._check_date_not_in_future(
            "date_signed",
            lambda contract: self.env._(
                "Contract %(name)s: the signature date (%(date)s) is in "
                "the future; record the signature once it is given.",
                name=contract.display_name,
                date=contract.date_signed,
            ),
        )

    @api.constrains("notice_date")
    def _check_notice_date_not_in_future(self):
        """A notice is registered once it is received."""
        self._check_date_not_in_future(
            "notice_date",
            lambda contract: self.env._(
                "Contract %(name)s: the notice date (%(date)s) is in the "
                "future; register the notice once it is received.",
                name=contract.display_name,
                date=contract.notice_date,
            ),
        )

    def _check_date_not_in_future(self, field_name, get_message):
        """Refuse a date ``field_name`` after the company's day, with the
        message ``get_message(contract)``."""
        for contract in self:
            date = contract[field_name]
            if date and date > contract.company_id._service_today():
                raise ValidationError(get_message(contract))

    @api.model
    def _get_template_records(self):
        """The records a contract copies from its template: {field (the
        same on the template): method of the template's record giving the
        values of its copy}. Each concern adds its own from its file."""
        return {"line_ids": "_prepare_contract_line_vals"}

    @api.model
    def _copy_template_records(self, template, field, partner=None):
        """Commands creating the contract's copies of ``template[field]``,
        in the language of the customer ``partner`` (their names are the
        customer's, as on a quotation)."""
        prepare = self._get_template_records()[field]
        if partner and partner.lang:
            template = template.with_context(lang=partner.lang)
        return [
            Command.create(getattr(record, prepare)()) for record in template[field]
        ]

    @api.onchange("template_id")
    def _onchange_template_id(self):
        """Replace the services, visit plans... by those of the newly chosen
        template."""
        if self.template_id:
            for field in self._get_template_records():
                self[field] = [Command.clear()] + self._copy_template_records(
                    self.template_id, field, self.partner_id
                )

    # ------------------------------------------------------------------
    # Guarded fields (see service_lifecycle_guard.py): those of this file;
    # each concern adds its own from its file.
    # ------------------------------------------------------------------

    def _get_lifecycle_actions(self):
        return (
            *super()._get_lifecycle_actions(),
            "action_to_sign",
            "action_sign",
            "action_cancel",
            "action_draft",
            "action_renew",
            "action_withdraw_notice",
            "_renew",
            "_register_notice",
            "_terminate",
            "_close",
            "_process_terms",
        )

    def _get_action_fields(self):
        """Written only by the contract's actions, in any state."""
        return (
            *super()._get_action_fields(),
            "state",
            "date_term_start",
            "renewal_count",
            "notice_date",
            "notice_by",
            "notice_reason",
            "date_termination",
            "termination_type",
            "termination_reason",
            "date_closed",
            "close_reason",
        )

    def _get_create_only_fields(self):
        return (*super()._get_create_only_fields(), "sale_order_id")

    def _get_frozen_fields(self):
        """The signed agreement: frozen once the contract is signed."""
        return (
            *super()._get_frozen_fields(),
            "company_id",
            "currency_id",
            "partner_id",
            "signatory_id",
            "template_id",
            "date_signed",
            "date_start",
            "line_ids",
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
        )

    def _is_frozen(self):
        self.ensure_one()
        return self.state not in UNSIGNED_STATES

    @api.model_create_multi
    def create(self, vals_list):
        self._check_lifecycle_create(vals_list)
        templates = self.env["service.contract.template"].browse(
            [vals["template_id"] for vals in vals_list if vals.get("template_id")]
        )
        copied = self._get_template_records()
        templates.fetch(list(copied))
        for vals in vals_list:
            if vals.get("name", self.env._("New")) == self.env._("New"):
                company = (
                    self.env["res.company"].browse(vals.get("company_id"))
                    or self.env.company
                )
                vals["name"] = self._next_contract_number(company, vals) or self.env._(
                    "New"
                )
            template = templates.browse(vals.get("template_id"))
            for field in copied:
                if template and field not in vals:
                    vals[field] = self._copy_template_records(
                        template,
                        field,
                        self.env["res.partner"].browse(vals.get("partner_id")),
                    )
        return super().create(vals_list)

    @api.model
    def _next_contract_number(self, company, vals):
        """The number of a new contract, by the year it was made: the year
        of its creation, or of its signature or start when the contract is
        entered after the fact (signed on paper, imported, the demo), so
        that a contract signed in 2024 is numbered SC/2024/..."""
        today = company._service_today()
        dates = [
            fields.Date.to_date(vals.get(field))
            for field in ("date_signed", "date_start")
            if vals.get(field)
        ]
        sequence_date = min([today, *dates])
        return (
            self.env["ir.sequence"]
            .with_company(company)
            .with_context(ir_sequence_date=sequence_date)
            .next_by_code("service.contract", sequence_date=sequence_date)
        )

    def write(self, vals):
        self._check_lifecycle_write(vals)
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_signed(self):
        if any(contract.state not in ("draft", "cancel") for contract in self):
            raise UserError(
                self.env._(
                    "Only draft or cancelled contracts can be deleted; "
                    "terminate or cancel the others."
                )
            )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def _check_ready_to_sign(self):
        for contract in self:
            if not contract.line_ids:
                raise UserError(
                    self.env._(
                        "Add at least one service to contract %(name)s.",
                        name=contract.name,
                    )
                )
            if not contract.date_start:
                raise UserError(
                    self.env._(
                        "Set the start date of contract %(name)s.",
                        name=contract.name,
                    )
                )

    @lifecycle_action
    def action_to_sign(self):
        """Send the contract to the customer: it waits for the signature."""
        self._check_state(
            ("draft",),
            self.env._("Only draft contracts can be sent for signature: %(names)s"),
        )
        self._check_ready_to_sign()
        self.write({"state": "to_sign"})
        self._on_sent()
        return True

    @lifecycle_action
    def action_sign(self, date_signed=None):
        """Record the customer's signature: the contract runs."""
        self._check_state(
            ("draft", "to_sign"),
            self.env._(
                "Only draft contracts or contracts waiting for signature can "
                "be signed: %(names)s"
            ),
        )
        self._check_ready_to_sign()
        for contract in self:
            today = contract.company_id._service_today()
            contract.write(
                {
                    "state": "running",
                    "date_signed": date_signed or contract.date_signed or today,
                }
            )
        self._on_signed()
        return True

    @lifecycle_action
    def action_cancel(self):
        self._check_state(
            ("draft", "to_sign"),
            self.env._(
                "Only contracts that are not signed yet can be cancelled; "
                "terminate running contracts instead: %(names)s"
            ),
        )
        self.write({"state": "cancel"})
        return True

    @lifecycle_action
    def action_draft(self):
        self._check_state(
            ("to_sign", "cancel"),
            self.env._(
                "Only contracts waiting for signature or cancelled can be set "
                "back to draft: %(names)s"
            ),
        )
        self.write({"state": "draft", "date_signed": False})
        self._on_reset_to_draft()
        return True

    @lifecycle_action
    def action_renew(self):
        """Express renewal: a user renews the contract for one more term."""
        self._check_state(
            RUNNING_STATES,
            self.env._("Only running contracts can be renewed: %(names)s"),
        )
        for contract in self:
            today = contract.company_id._service_today()
            if contract.renewal_type != "express":
                raise UserError(
                    self.env._(
                        "Contract %(name)s is not renewed expressly.",
                        name=contract.name,
                    )
                )
            if contract.notice_date or contract.date_termination:
                raise UserError(
                    self.env._(
                        "Contract %(name)s has received notice or is terminated: "
                        "it cannot be renewed.",
                        name=contract.name,
                    )
                )
            if contract.renewal_count and contract.date_term_start > today:
                raise UserError(
                    self.env._(
                        "Contract %(name)s is already renewed until %(end)s.",
                        name=contract.name,
                        end=contract.date_end,
                    )
                )
            contract._renew({contract.id: (contract.date_end + timedelta(days=1), 1)})
        return True

    def action_view_sites(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Sites"),
            "res_model": "res.partner",
            "view_mode": "list,form",
            "views": [
                (
                    self.env.ref("service_contract.res_partner_view_list_site").id,
                    "list",
                ),
                (False, "form"),
            ],
            "domain": [("id", "in", self.site_ids.ids)],
            "context": {"create": False},
        }

    def action_open_notice_wizard(self):
        self.ensure_one()
        return self._open_wizard(
            "service.contract.notice", self.env._("Register Notice")
        )

    def action_open_terminate_wizard(self):
        self.ensure_one()
        return self._open_wizard(
            "service.contract.terminate", self.env._("Terminate Contract")
        )

    def _open_wizard(self, model, name):
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": model,
            "view_mode": "form",
            "target": "new",
            "context": {"default_contract_id": self.id},
        }

    @lifecycle_action
    def action_withdraw_notice(self):
        """Cancel a notice registered by mistake (managers only)."""
        self.ensure_one()
        self._check_manager()
        self._check_state(
            RUNNING_STATES,
            self.env._("Only running contracts have a notice to withdraw: %(names)s"),
        )
        self.write({"notice_date": False, "notice_by": False, "notice_reason": False})
        self.message_post(body=self.env._("Notice withdrawn."))
        return True

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _get_current_term(self):
        """(start, count, unit) of the current term: firm term, then renewals."""
        self.ensure_one()
        if self.renewal_count:
            return self.date_term_start, self.renewal_duration, self.renewal_unit
        return self.date_start, self.duration, self.duration_unit

    def _check_manager(self, message=None):
        if not self.env.user.has_group(
            "service_contract.group_service_contract_manager"
        ):
            raise AccessError(
                message or self.env._("Only contract managers can do this.")
            )

    @lifecycle_action
    def _renew(self, renewals):
        """Start new terms: ``renewals`` maps the id of each of these
        contracts to (the first day of its first new term, the number of
        new terms). The contracts are written, noted in their chatter and
        passed to ``_on_renewed`` together (a batch of the scheduled action
        costs one call of each hook, not one per contract)."""
        values, notes = [], {}
        for contract in self:
            term_start, count = renewals[contract.id]
            for _index in range(count):
                end = term_end(
                    term_start, contract.renewal_duration, contract.renewal_unit
                )
                last_start, term_start = term_start, end + timedelta(days=1)
            values.append(
                (
                    contract,
                    {
                        "date_term_start": last_start,
                        "renewal_count": contract.renewal_count + count,
                    },
                )
            )
            notes[contract.id] = escape(
                self.env._(
                    "Contract renewed until %(end)s (renewal #%(count)s).",
                    end=fields.Date.to_string(end),
                    count=contract.renewal_count + count,
                )
            )
        write_grouped(values)
        self._message_log_batch(notes)
        self._on_renewed(renewals)

    def _is_notice_late(self, notice_date):
        """Whether a notice received on ``notice_date`` misses the deadline."""
        self.ensure_one()
        return notice_date > self.notice_deadline

    def _is_notice_backdated(self, notice_date):
        """Whether a notice is registered after the day it is dated."""
        self.ensure_one()
        return notice_date < self.company_id._service_today()

    @lifecycle_action
    def _register_notice(self, notice_date, notice_by, reason, override=False):
        """Record that the renewal is refused; the contract ends at term."""
        self.ensure_one()
        notice_date = fields.Date.to_date(notice_date)
        self._check_state(
            RUNNING_STATES,
            self.env._("Notice can only be given on running contracts: %(names)s"),
        )
        if self.notice_date:
            raise UserError(
                self.env._(
                    "Notice was already received on %(date)s for contract %(name)s.",
                    date=self.notice_date,
                    name=self.name,
                )
            )
        if notice_date > self.company_id._service_today():
            raise UserError(
                self.env._(
                    "Notice dated %(date)s, in the future: register the notice "
                    "of contract %(name)s once it is received.",
                    date=notice_date,
                    name=self.name,
                )
            )
        late = self._is_notice_late(notice_date)
        if late and not override:
            raise UserError(
                self.env._(
                    "Notice received on %(date)s, after the notice deadline of "
                    "%(deadline)s: contract %(name)s is renewed. Only a manager "
                    "can accept a late notice.",
                    date=notice_date,
                    deadline=self.notice_deadline,
                    name=self.name,
                )
            )
        if late:
            self._check_manager()
        backdated = self._is_notice_backdated(notice_date)
        if backdated:
            self._check_manager(
                self.env._(
                    "Notice dated %(date)s, before today: only a contract manager "
                    "can register a back-dated notice on contract %(name)s.",
                    date=notice_date,
                    name=self.name,
                )
            )
        self.write(
            {
                "notice_date": notice_date,
                "notice_by": notice_by,
                "notice_reason": reason,
            }
        )
        body = self.env._(
            "Notice received on %(date)s from %(by)s: the contract will end on "
            "%(end)s.",
            date=notice_date,
            by=selection_label(self, "notice_by", notice_by),
            end=self.date_end,
        )
        if late:
            body += " " + self.env._(
                "Accepted after the notice deadline (%(deadline)s) by %(user)s.",
                deadline=self.notice_deadline,
                user=self.env.user.name,
            )
        if backdated:
            body += " " + self.env._(
                "Back-dated, registered on %(today)s by %(user)s.",
                today=self.company_id._service_today(),
                user=self.env.user.name,
            )
        if reason:
            body += " " + self.env._("Reason: %(reason)s", reason=reason)
        self.message_post(body=body)

    @lifecycle_action
    def _terminate(self, date, termination_type, reason):
        """End the contract before its term, on ``date`` (its last day)."""
        self.ensure_one()
        date = fields.Date.to_date(date)
        if self.state != "running":
            raise UserError(
                self.env._(
                    "Only running contracts can be terminated; cancel contracts "
                    "that are not signed yet (%(name)s).",
                    name=self.name,
                )
            )
        if date < self.date_start:
            raise UserError(
                self.env._(
                    "The termination date %(date)s is before the start of the "
                    "contract (%(start)s).",
                    date=date,
                    start=self.date_start,
                )
            )
        if date > self.date_end:
            raise UserError(
                self.env._(
                    "The termination date %(date)s is after the end of the current "
                    "term (%(end)s): register a notice instead.",
                    date=date,
                    end=self.date_end,
                )
            )
        self.write(
            {
                "date_termination": date,
                "termination_type": termination_type,
                "termination_reason": reason,
            }
        )
        type_label = selection_label(self, "termination_type", termination_type)
        self.message_post(
            body=self.env._(
                "Contract terminated (%(type)s), effective %(date)s. Reason: "
                "%(reason)s",
                type=type_label,
                date=date,
                reason=reason or "-",
            )
        )
        self._on_terminated(date)
        if date < self.company_id._service_today():
            self._close("terminated", date)

    @lifecycle_action
    def _close(self, reason, date):
        self.ensure_one()
        self.write({"state": "closed", "close_reason": reason, "date_closed": date})
        reason_label = selection_label(self, "close_reason", reason)
        self.message_post(
            body=self.env._(
                "Contract closed on %(date)s: %(reason)s.",
                date=date,
                reason=reason_label,
            )
        )
        self._on_closed(reason, date)

    # ------------------------------------------------------------------
    # Lifecycle hooks: each step calls its hook once, after its own work.
    # Concerns (invoicing, visits, documents, Loi Chatel, revision...)
    # extend the hook rather than the step. They run inside the step, with
    # its write rights (the step is a @lifecycle_action), whatever the order
    # of the files; a concern that does override a step decorates its
    # override too.
    # ------------------------------------------------------------------

    def _on_sent(self):
        """The contracts were sent to the customer for signature."""

    def _on_signed(self):
        """The contracts were signed: they run."""

    def _on_reset_to_draft(self):
        """The contracts were set back to draft."""

    def _on_renewed(self, renewals):
        """The contracts were renewed: ``renewals`` maps the id of each one
        to (the first day of its new terms, their number)."""

    def _on_terminated(self, date):
        """The contract was terminated; ``date`` is its last day."""

    def _on_closed(self, reason, date):
        """The contract was closed on ``date`` for ``reason``."""

    # ------------------------------------------------------------------
    # Scheduled actions
    # ------------------------------------------------------------------

    @api.model
    def _commit_batch(self):
        """Keep the work of a scheduled action's batch: commit, except in
        tests and while modules load (demo data runs the same methods)."""
        if self.env.registry.ready and not (
            modules.module.current_test or tools.config["test_enable"]
        ):
            self.env.cr.commit()  # pylint: disable=invalid-commit

    def _lock_skip_locked(self):
        """Lock these contracts; return those no other transaction holds."""
        return lock_skip_locked(self)

    @lifecycle_action
    def _process_terms(self, today):
        renewing = self.browse()
        for contract in self:
            if contract.date_termination and contract.date_termination < today:
                contract._close("terminated", contract.date_termination)
            elif contract.date_end >= today:
                continue
            elif contract.notice_date:
                contract._close("notice", contract.date_end)
            elif contract.renewal_type == "tacit":
                renewing |= contract
            else:
                contract._close("expired", contract.date_end)
        renewing._catch_up_renewals(today)

    def _catch_up_renewals(self, today):
        """Renew tacit contracts until their current term covers ``today``,
        all together (``_renew``)."""
        renewals = {}
        for contract in self:
            term_start = contract.date_end + timedelta(days=1)
            count, start = 0, term_start
            end = contract.date_end
            while end < today:
                end = term_end(start, contract.renewal_duration, contract.renewal_unit)
                start = end + timedelta(days=1)
                count += 1
            renewals[contract.id] = (term_start, count)
        if renewals:
            self._renew(renewals)
