"""Dunning of contract customers: levels per company, the letters sent, and
the daily run.

For each customer (commercial partner) with overdue posted contract
invoices, the run sends the highest level due for its oldest overdue
invoice, once: one letter per customer and level covering all of its
overdue contract invoices; the level reached is stored on each invoice,
so the same level is never sent twice for the same invoices. Paid
invoices (or credited) drop out; a promise-to-pay date pauses it, an
exclusion flag on the customer stops it. Penalties: the company's yearly
rate, per invoice, rounded to the currency; the EUR 40 flat indemnity per
invoice for professional customers (Code de commerce L441-10).
"""

import logging
from collections import defaultdict

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import float_round, format_date

from .service_batch_runner import run_isolated
from .service_lifecycle_guard import lifecycle_write

_logger = logging.getLogger(__name__)

DUNNING_ACTIONS = [
    ("reminder", "Reminder Email"),
    ("second_reminder", "Second Reminder"),
    ("formal_notice", "Formal Notice"),
    ("call", "Call Activity"),
    ("suspension", "Suspension"),
]
# The French defaults of every company: (sequence, name, delay, action).
DEFAULT_LEVELS = [
    (10, "Reminder", 7, "reminder"),
    (20, "Second reminder", 15, "second_reminder"),
    (30, "Formal notice", 30, "formal_notice"),
    (40, "Suspension", 45, "suspension"),
]
# Flat recovery indemnity per invoice of a professional customer (L441-10).
FLAT_INDEMNITY = 40.0


class ServiceDunningLevel(models.Model):
    _name = "service.dunning.level"
    _description = "Dunning Level"
    _order = "company_id, sequence, delay, id"

    sequence = fields.Integer(default=10)
    name = fields.Char(required=True, translate=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    delay = fields.Integer(
        string="Days After Due Date",
        required=True,
        help="The level is reached this many days after the due date of the "
        "customer's oldest overdue contract invoice.",
    )
    action = fields.Selection(DUNNING_ACTIONS, required=True, default="reminder")
    mail_template_id = fields.Many2one(
        "mail.template",
        string="Email Template",
        domain=[("model", "=", "service.dunning.letter")],
        help="The email sent to the customer at this level (none: the letter "
        "is recorded and printed only).",
    )
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("delay_positive", "CHECK(delay >= 0)", "The delay cannot be negative."),
    ]

    @api.constrains("delay", "company_id", "active")
    def _check_unique_delay(self):
        for level in self.filtered("active"):
            if self.search_count(
                [
                    ("company_id", "=", level.company_id.id),
                    ("delay", "=", level.delay),
                    ("id", "!=", level.id),
                ]
            ):
                raise ValidationError(
                    self.env._(
                        "%(company)s already has a dunning level %(delay)s days "
                        "after the due date.",
                        company=level.company_id.name,
                        delay=level.delay,
                    )
                )


class ResCompany(models.Model):
    _inherit = "res.company"

    service_dunning_level_ids = fields.One2many(
        "service.dunning.level", "company_id", string="Dunning Levels"
    )

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        companies._create_dunning_levels()
        return companies

    def _create_dunning_levels(self):
        """The French default levels, for the companies that have none."""
        Level = self.env["service.dunning.level"].sudo().with_context(active_test=False)
        done = set(Level.search([("company_id", "in", self.ids)]).company_id.ids)
        reminder = self.env.ref(
            "service_contract.mail_template_dunning_reminder", raise_if_not_found=False
        )
        notice = self.env.ref(
            "service_contract.mail_template_dunning_formal_notice",
            raise_if_not_found=False,
        )
        templates = {
            "reminder": reminder,
            "second_reminder": reminder,
            "formal_notice": notice,
            "suspension": reminder,
        }
        levels = Level.with_context(lang="en_US").create(
            [
                {
                    "company_id": company.id,
                    "sequence": sequence,
                    "name": name,
                    "delay": delay,
                    "action": action,
                    "mail_template_id": templates[action].id
                    if templates[action]
                    else False,
                }
                for company in self
                if company.id not in done
                for sequence, name, delay, action in DEFAULT_LEVELS
            ]
        )
        for lang, _name in self.env["res.lang"].get_installed():
            if lang != "en_US":
                names = self.with_context(lang=lang)._dunning_level_names()
                for level in levels:
                    level.update_field_translations("name", {lang: names[level.action]})

    def _dunning_level_names(self):
        """The default levels' names, in the context's language."""
        return {
            "reminder": self.env._("Reminder"),
            "second_reminder": self.env._("Second reminder"),
            "formal_notice": self.env._("Formal notice"),
            "suspension": self.env._("Suspension"),
        }

    @api.model
    def _create_all_dunning_levels(self):
        """Module data: the levels of the companies that exist already."""
        self.sudo().with_context(active_test=False).search([])._create_dunning_levels()


class ResPartner(models.Model):
    _inherit = "res.partner"

    dunning_excluded = fields.Boolean(
        string="Excluded From Dunning",
        groups="account.group_account_invoice",
        help="No dunning letter is sent to this customer.",
    )
    dunning_promise_date = fields.Date(
        string="Promise to Pay",
        groups="account.group_account_invoice",
        help="The customer promised to pay by this date: dunning waits until " "then.",
    )


class AccountMove(models.Model):
    _inherit = "account.move"

    dunning_level_id = fields.Many2one(
        "service.dunning.level",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The last dunning level sent for this invoice.",
    )
    dunning_date = fields.Date(string="Last Dunning", readonly=True, copy=False)

    @api.model
    def _get_dunning_domain(self, today):
        """Posted contract invoices still unpaid after their due date."""
        return [
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("payment_state", "in", ("not_paid", "partial")),
            ("invoice_date_due", "<", today),
            ("invoice_line_ids.service_contract_id", "!=", False),
        ]


class ServiceDunningLetter(models.Model):
    """A letter sent to a customer at a level, for its overdue contract
    invoices: the record of what was sent and the amounts it stated."""

    _name = "service.dunning.letter"
    _inherit = ["mail.thread"]
    _description = "Dunning Letter"
    _order = "date desc, id desc"

    name = fields.Char(compute="_compute_name")
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, readonly=True, index=True
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    level_id = fields.Many2one(
        "service.dunning.level", required=True, readonly=True, ondelete="restrict"
    )
    action = fields.Selection(related="level_id.action")
    date = fields.Date(required=True, readonly=True)
    line_ids = fields.One2many(
        "service.dunning.letter.line", "letter_id", string="Invoices", readonly=True
    )
    move_ids = fields.Many2many(
        "account.move", string="Overdue Invoices", readonly=True
    )
    contract_ids = fields.Many2many(
        "service.contract", string="Contracts", readonly=True
    )
    amount_principal = fields.Monetary(string="Principal", readonly=True)
    amount_penalty = fields.Monetary(string="Late Payment Penalties", readonly=True)
    amount_indemnity = fields.Monetary(string="Flat Recovery Indemnity", readonly=True)
    amount_total = fields.Monetary(string="Total Due", readonly=True)
    penalty_rate = fields.Float(
        string="Penalty Rate (%)", digits=(16, 2), readonly=True
    )
    date_due_oldest = fields.Date(
        string="Oldest Due Date", compute="_compute_date_due_oldest"
    )
    partner_promise_date = fields.Date(
        related="partner_id.dunning_promise_date", string="Promise to Pay"
    )
    partner_excluded = fields.Boolean(
        related="partner_id.dunning_excluded", string="Excluded"
    )

    @api.depends("line_ids.date_due")
    def _compute_date_due_oldest(self):
        for letter in self:
            dates = letter.line_ids.mapped("date_due")
            letter.date_due_oldest = min(dates) if dates else False

    @api.depends("partner_id", "level_id", "date")
    def _compute_name(self):
        for letter in self:
            letter.name = f"{letter.level_id.name} - {letter.partner_id.name}"

    def _get_report_base_filename(self):
        self.ensure_one()
        return self.env._("Formal notice %(name)s", name=self.partner_id.name)

    def action_print(self):
        """The formal notice (or any letter) as a PDF, for the post."""
        self._check_dunning_rights()
        return self.env.ref(
            "service_contract.action_report_service_dunning_letter"
        ).report_action(self)

    def action_send(self):
        """Send the letter's email again."""
        self._check_dunning_rights()
        for letter in self:
            if letter.level_id.mail_template_id:
                letter.level_id.mail_template_id.sudo().send_mail(
                    letter.id, email_layout_xmlid="mail.mail_notification_light"
                )
        return True

    def action_open_customer(self):
        """The customer's form, to set a promise to pay or exclude it."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "res.partner",
            "res_id": self.partner_id.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    # ------------------------------------------------------------------
    # The run
    # ------------------------------------------------------------------

    @api.model
    def _check_dunning_rights(self):
        if not self.env.user.has_group("account.group_account_invoice"):
            raise AccessError(
                self.env._("Only accountants run dunning and send its letters.")
            )

    def action_run_dunning(self):
        """The Dunning screen's button (on the list, whatever its selection):
        run now, for the current companies."""
        self._check_dunning_rights()
        today = self.env.company._service_today()
        self.sudo()._run_dunning(today, companies=self.env.companies)
        return self.env["ir.actions.act_window"]._for_xml_id(
            "service_contract.service_dunning_letter_action"
        )

    @api.model
    def _cron_run_dunning(self, today=None):
        """Daily: the dunning run on the day of each company."""
        return len(self.sudo()._run_dunning(today))

    @api.model
    def _run_dunning(self, today=None, companies=None, partners=None):
        """Send the letters due (of these companies, customers: all by
        default); return them. The overdue invoices are taken
        per customer (never split), locked with SKIP LOCKED (a second worker
        skips them), and each customer isolated (a broken customer never
        stops the others). As superuser: the accountant running it needs no
        contract rights, and the letters are the run's own records."""
        self = self.sudo()  # noqa: PLW0642
        Contract = self.env["service.contract"]
        Move = self.env["account.move"]
        summary = self.env._("Dunning failed")
        letters = self.browse()

        def get_domain(day):
            domain = Move._get_dunning_domain(day)
            if companies:
                domain = [("company_id", "in", companies.ids), *domain]
            if partners:
                domain = [("commercial_partner_id", "in", partners.ids), *domain]
            return domain

        def by_customer(moves, size):
            groups = defaultdict(list)
            for move in moves:
                groups[(move.commercial_partner_id, move.company_id)].append(move.id)
            batch = []
            for ids in groups.values():
                batch += ids
                if len(batch) >= size:
                    yield batch
                    batch = []
            if batch:
                yield batch

        def run(moves, day):
            groups = defaultdict(lambda: Move)
            for move in moves:
                groups[(move.commercial_partner_id, move.company_id)] |= move

            def on_error(item, error):
                (partner, _company), moves = item[0]
                _logger.warning("%s: %s", summary, partner.display_name)
                contracts = moves.invoice_line_ids.service_contract_id
                contracts._notify_cron_error(summary, error)

            done = run_isolated(
                self.env,
                list(groups.items()),
                lambda items: self.browse().union(
                    *(self._dunning_customer(key, group, day) for key, group in items)
                ),
                on_error,
            )
            return self.browse().union(*(sent for _items, sent in done))

        for sent in Contract._run_cron_batches(
            get_domain,
            run,
            summary,
            today,
            model="account.move",
            order="commercial_partner_id, invoice_date_due, id",
            recheck=True,
            isolate=False,
            split=by_customer,
        ):
            letters |= sent
        return letters

    @api.model
    def _dunning_customer(self, key, moves, day):
        """The letter due to this customer for these overdue invoices (none
        if paused, excluded, or its level was sent already)."""
        partner, company = key
        moves = moves - moves._get_dunning_skipped()
        if not moves or partner.dunning_excluded:
            return self.browse()
        if partner.dunning_promise_date and partner.dunning_promise_date >= day:
            return self.browse()
        oldest = min(moves.mapped("invoice_date_due"))
        levels = (
            self.env["service.dunning.level"]
            .search([("company_id", "=", company.id)])
            .filtered(lambda lv: lv.delay <= (day - oldest).days)
        )
        if not levels:
            return self.browse()
        level = levels.sorted(lambda lv: (lv.delay, lv.sequence))[-1]
        reached = moves.filtered(
            lambda m: m.dunning_level_id
            and (m.dunning_level_id.delay, m.dunning_level_id.sequence)
            >= (level.delay, level.sequence)
        )
        if reached == moves:
            return self.browse()
        letter = self._create_letter(partner, company, level, moves, day)
        with lifecycle_write():
            moves.write({"dunning_level_id": level.id, "dunning_date": day})
        letter._send()
        return letter

    @api.model
    def _dunning_lines(self, partner, company, moves, day):
        """Per invoice: the amount due (in the company's currency), the days
        late, the penalties at the company's yearly rate and the flat
        indemnity (professionals)."""
        rate = company.sc_late_penalty_rate
        professional = partner.commercial_partner_id.legal_category == "professional"
        lines = []
        for move in moves.sorted(lambda m: (m.invoice_date_due, m.id)):
            days = (day - move.invoice_date_due).days
            # In the company's currency, the letter's (any invoice currency).
            residual = move.amount_residual_signed
            rounding = company.currency_id.rounding
            lines.append(
                {
                    "move_id": move.id,
                    "date_due": move.invoice_date_due,
                    "days": days,
                    "amount_residual": residual,
                    "amount_penalty": float_round(
                        residual * rate / 100 * days / 365,
                        precision_rounding=rounding,
                    ),
                    "amount_indemnity": FLAT_INDEMNITY if professional else 0.0,
                }
            )
        return lines

    @api.model
    def _create_letter(self, partner, company, level, moves, day):
        lines = self._dunning_lines(partner, company, moves, day)
        principal = sum(line["amount_residual"] for line in lines)
        penalty = sum(line["amount_penalty"] for line in lines)
        indemnity = sum(line["amount_indemnity"] for line in lines)
        return self.create(
            {
                "partner_id": partner.id,
                "company_id": company.id,
                "level_id": level.id,
                "date": day,
                "move_ids": [fields.Command.set(moves.ids)],
                "contract_ids": [
                    fields.Command.set(moves.invoice_line_ids.service_contract_id.ids)
                ],
                "line_ids": [fields.Command.create(line) for line in lines],
                "amount_principal": principal,
                "amount_penalty": penalty,
                "amount_indemnity": indemnity,
                "amount_total": principal + penalty + indemnity,
                "penalty_rate": company.sc_late_penalty_rate,
            }
        )

    def _send(self):
        """Email, activity or suspension, as the level says; every step in
        the chatter of the contracts."""
        for letter in self:
            level = letter.level_id
            if level.mail_template_id:
                level.mail_template_id.send_mail(
                    letter.id, email_layout_xmlid="mail.mail_notification_light"
                )
            if level.action == "call":
                letter.contract_ids[:1].activity_schedule(
                    "mail.mail_activity_data_call",
                    summary=self.env._("Call the customer about overdue invoices"),
                    user_id=(letter.contract_ids[:1].user_id or self.env.user).id,
                )
            if level.action == "suspension":
                letter.contract_ids._dunning_suspend(letter)
            letter._log_on_contracts()

    def _log_on_contracts(self):
        bodies = {}
        for letter in self:
            body = self.env._(
                "Dunning: %(level)s on %(date)s for invoices %(invoices)s.",
                level=letter.level_id.name,
                date=format_date(self.env, letter.date),
                invoices=", ".join(letter.move_ids.mapped("name")),
            )
            for contract in letter.contract_ids:
                bodies[contract.id] = Markup("<p>%s</p>") % body
        if bodies:
            self.env["service.contract"].browse(list(bodies))._message_log_batch(bodies)


class ServiceDunningLetterLine(models.Model):
    _name = "service.dunning.letter.line"
    _description = "Dunning Letter Invoice"
    _order = "date_due, id"

    letter_id = fields.Many2one(
        "service.dunning.letter", required=True, ondelete="cascade", index=True
    )
    currency_id = fields.Many2one(related="letter_id.currency_id")
    move_id = fields.Many2one("account.move", string="Invoice", required=True)
    date_due = fields.Date(string="Due Date")
    days = fields.Integer(string="Days Late")
    amount_residual = fields.Monetary(string="Amount Due")
    amount_penalty = fields.Monetary(string="Penalties")
    amount_indemnity = fields.Monetary(string="Indemnity")
