from collections import defaultdict
from datetime import date as date_type
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .date_utils import FREQUENCY_MONTHS, billing_periods
from .price_revision import full_period_days, integrated_amount
from .service_contract_period import BILLED_STATES
from .service_lifecycle_guard import lifecycle_action

INVOICEABLE_STATES = ("running", "closed")


class ServiceContract(models.Model):
    """Billing schedule, recurring invoices and payment follow-up."""

    _inherit = "service.contract"

    period_ids = fields.One2many(
        "service.contract.period", "contract_id", string="Billing Schedule"
    )
    price_steps = fields.Json(
        readonly=True,
        copy=False,
        help="The untaxed amount per period in force from each date, as the "
        "amendments and price revisions set it: [[date, amount], ...].",
    )
    amount_annual = fields.Monetary(
        string="Annual Value",
        compute="_compute_amount_annual",
        help="Untaxed amount of a year of service.",
    )
    next_invoice_date = fields.Date(compute="_compute_next_invoice_date")
    invoice_ids = fields.Many2many(
        "account.move", string="Invoices", compute="_compute_invoicing_amounts"
    )
    invoice_count = fields.Integer(compute="_compute_invoicing_amounts")
    amount_invoiced = fields.Monetary(compute="_compute_invoicing_amounts")
    amount_paid = fields.Monetary(compute="_compute_invoicing_amounts")
    amount_due = fields.Monetary(compute="_compute_invoicing_amounts")
    amount_overdue = fields.Monetary(compute="_compute_invoicing_amounts")
    overdue_invoice_ids = fields.Many2many(
        "account.move",
        string="Overdue Invoices",
        compute="_compute_invoicing_amounts",
    )
    is_late_payer = fields.Boolean(
        string="Late Payer",
        compute="_compute_invoicing_amounts",
        search="_search_is_late_payer",
        groups="service_contract.group_service_contract_user",
    )

    @api.depends("amount_untaxed", "invoicing_frequency")
    def _compute_amount_annual(self):
        for contract in self:
            months = FREQUENCY_MONTHS.get(contract.invoicing_frequency, 12)
            contract.amount_annual = contract.amount_untaxed * 12 / months

    @api.depends("period_ids.state", "period_ids.invoice_date")
    def _compute_next_invoice_date(self):
        for contract in self:
            dates = contract.period_ids.filtered(
                lambda p: p.state == "to_invoice"
            ).mapped("invoice_date")
            contract.next_invoice_date = min(dates) if dates else False

    @api.depends("period_ids.move_id")
    def _compute_invoicing_amounts(self):
        """Amounts from the customer invoices of the contracts.

        A grouped invoice serves several contracts: each one gets the share
        of the invoice's residual that its own lines make up.

        Read as superuser, restricted to the lines of these contracts: what
        was invoiced and paid is part of the contract, and a contract user
        without accounting rights sees it too (the invoices themselves stay
        behind the accounting groups).
        """
        today = fields.Date.context_today(self)
        lines_sudo = self.env["account.move.line"].sudo()
        groups = lines_sudo._read_group(
            [
                ("service_contract_id", "in", self.ids),
                ("display_type", "=", "product"),
            ],
            ["service_contract_id", "move_id"],
            ["price_total:sum"],
        )
        shares = defaultdict(list)
        for contract, move, total in groups:
            shares[contract].append((move, total))
        for contract in self:
            moves = self.env["account.move"]
            invoiced = due = overdue = 0.0
            overdue_moves = self.env["account.move"]
            for move, total in shares.get(contract, []):
                moves |= move
                if move.state != "posted":
                    continue
                sign = -1 if move.move_type == "out_refund" else 1
                share = total / move.amount_total if move.amount_total else 0.0
                residual = move.amount_residual * share * sign
                invoiced += total * sign
                due += residual
                if (
                    residual > 0
                    and move.invoice_date_due
                    and move.invoice_date_due < today
                ):
                    overdue += residual
                    overdue_moves |= move
            contract.invoice_ids = moves.sudo(False)
            contract.invoice_count = len(moves)
            contract.amount_invoiced = invoiced
            contract.amount_due = due
            contract.amount_paid = invoiced - due
            contract.amount_overdue = overdue
            contract.overdue_invoice_ids = overdue_moves.sudo(False)
            contract.is_late_payer = not contract.currency_id.is_zero(overdue)

    def _search_is_late_payer(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on late payers."))
        # As superuser, like the amounts above: the filter only yields
        # contract ids, never accounting data.
        lines_sudo = self.env["account.move.line"].sudo()
        lines = lines_sudo._search(
            [
                ("service_contract_id", "!=", False),
                ("display_type", "=", "product"),
                ("parent_state", "=", "posted"),
                ("move_id.move_type", "=", "out_invoice"),
                ("move_id.payment_state", "in", ("not_paid", "partial")),
                ("move_id.invoice_date_due", "<", fields.Date.context_today(self)),
            ]
        )
        late_ids = lines.subselect("service_contract_id")
        positive = (operator == "=") == value
        return [("id", "in" if positive else "not in", late_ids)]

    # ------------------------------------------------------------------
    # Billing schedule
    # ------------------------------------------------------------------

    def _get_service_end(self):
        """Last day of service: the termination date, or the end of term."""
        self.ensure_one()
        return self.date_termination or self.date_end

    def _get_price_steps(self, amount=None):
        """[(date, amount per period)]: the price in force from each date, as
        amendments and price revisions set it, each from its date on; before
        the first one recorded, ``amount`` (default: the price now)."""
        self.ensure_one()
        steps = [
            (fields.Date.to_date(day), value) for day, value in self.price_steps or []
        ]
        if amount is None:
            amount = self.amount_untaxed
        return steps or [(self.date_start or date_type.min, amount)]

    def _get_period_worth(self, date_from, date_to, full_days, steps=None):
        """What the days from ``date_from`` to ``date_to`` of a billing
        period of ``full_days`` days are worth: each day at the price in
        force that day (``steps``, default the contract's), rounded."""
        self.ensure_one()
        return integrated_amount(
            steps or self._get_price_steps(),
            date_from,
            date_to,
            full_days,
            self.currency_id.rounding,
        )

    def _prepare_period_vals(self, date_from, date_to, factor):
        self.ensure_one()
        if self.invoicing_mode == "arrears":
            invoice_date = date_to + timedelta(days=1)
        else:
            invoice_date = date_from
        return {
            "contract_id": self.id,
            "date_from": date_from,
            "date_to": date_to,
            "prorata_factor": factor,
            "invoice_date": invoice_date,
            "amount": self.currency_id.round(self.amount_untaxed * factor),
        }

    def _get_lifecycle_actions(self):
        return (*super()._get_lifecycle_actions(), "_generate_periods")

    @lifecycle_action
    def _generate_periods(self):
        """Extend the billing schedule of running contracts to their current
        end: the first term at signature, each new term at renewal."""
        Period = self.env["service.contract.period"]
        running = self.filtered(lambda c: c.state == "running")
        if not running:
            return Period
        last_dates = dict(
            Period._read_group(
                [("contract_id", "in", running.ids)],
                ["contract_id"],
                ["date_to:max"],
            )
        )
        vals_list = []
        for contract in running:
            last = last_dates.get(contract)
            start = last + timedelta(days=1) if last else contract.date_start
            end = contract._get_service_end()
            if not (start and end) or start > end:
                continue
            for date_from, date_to, factor in billing_periods(
                start, end, contract.invoicing_frequency, contract.prorata
            ):
                vals_list.append(
                    contract._prepare_period_vals(date_from, date_to, factor)
                )
        return Period.create(vals_list)

    def _cut_periods(self, last_day):
        """Termination: cancel the periods after ``last_day`` and prorate the
        one that contains it; invoiced periods are never touched."""
        self.ensure_one()
        to_invoice = self.period_ids.filtered(lambda p: p.state == "to_invoice")
        to_invoice.filtered(lambda p: p.date_from > last_day).write(
            {"is_cancelled": True}
        )
        for period in to_invoice.filtered(
            lambda p: p.date_from <= last_day < p.date_to
        ):
            kept = (last_day - period.date_from).days + 1
            total = (period.date_to - period.date_from).days + 1
            factor = period.prorata_factor * kept / total
            vals = self._prepare_period_vals(period.date_from, last_day, factor)
            del vals["contract_id"], vals["date_from"]
            # Its days kept at their prices, less what it bears already.
            full_days = full_period_days(
                period.date_from, period.date_to, period.prorata_factor
            )
            worth = self._get_period_worth(period.date_from, last_day, full_days)
            vals["amount"] = max(
                0.0, self.currency_id.round(worth - period.adjustment_amount)
            )
            period.write(vals)
        billed_after = self.period_ids.filtered(
            lambda p: p.state in BILLED_STATES and p.date_to > last_day
        )
        invoiced_after = billed_after.filtered(lambda p: p.state == "invoiced")
        if invoiced_after:
            self.message_post(
                body=self.env._(
                    "Periods already invoiced after the termination date: "
                    "%(periods)s. Issue a credit note if the customer is owed.",
                    periods=", ".join(invoiced_after.mapped("display_name")),
                )
            )
        # Never invoiced here: no invoice here to credit (the reference
        # names the former one).
        elsewhere_after = billed_after - invoiced_after
        if elsewhere_after:
            self.message_post(
                body=self.env._(
                    "Periods invoiced elsewhere after the termination date, by "
                    "the former tool: %(periods)s. If the customer is owed, "
                    "issue a credit note of the former tool's invoice: no "
                    "invoice here covers them.",
                    periods=", ".join(
                        f"{p.display_name} ({p.invoiced_elsewhere_ref})"
                        if p.invoiced_elsewhere_ref
                        else p.display_name
                        for p in elsewhere_after
                    ),
                )
            )

    def _on_signed(self):
        res = super()._on_signed()
        self._generate_periods()
        return res

    def _on_renewed(self, renewals):
        res = super()._on_renewed(renewals)
        self._generate_periods()
        return res

    def _on_terminated(self, date):
        res = super()._on_terminated(date)
        self._cut_periods(fields.Date.to_date(date))
        return res

    # ------------------------------------------------------------------
    # Invoicing
    # ------------------------------------------------------------------

    def action_create_invoices(self):
        """Invoice now every period of these contracts due today or earlier."""
        wrong = self.filtered(lambda c: c.state not in INVOICEABLE_STATES)
        if wrong:
            raise UserError(
                self.env._(
                    "Only signed contracts can be invoiced; these are draft, "
                    "waiting for signature or cancelled: %(names)s",
                    names=", ".join(wrong.mapped("name")),
                )
            )
        today = fields.Date.context_today(self)
        periods = self.period_ids.filtered(
            lambda p: p.state == "to_invoice" and p.invoice_date <= today
        )
        if not periods:
            raise UserError(self.env._("Nothing is due for invoicing today."))
        moves, failures = periods._lock_skip_locked()._create_invoices()
        if failures:
            contract, error = next(iter(failures.items()))
            raise UserError(
                self.env._(
                    "Contract %(name)s could not be invoiced: %(error)s",
                    name=contract.name,
                    error=self._format_cron_error(error),
                )
            )
        return self._action_view_moves(moves)

    def action_view_sale_order(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "sale.order",
            "view_mode": "form",
            "res_id": self.sale_order_id.id,
        }

    def action_view_invoices(self):
        self.ensure_one()
        return self._action_view_moves(self.invoice_ids)

    def _action_view_moves(self, moves):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        action["domain"] = [("id", "in", moves.ids)]
        action["context"] = {"default_move_type": "out_invoice", "create": False}
        if len(moves) == 1:
            action["views"] = [(self.env.ref("account.view_move_form").id, "form")]
            action["res_id"] = moves.id
        return action

    @api.model
    def _cron_create_invoices(self, today=None):
        """Invoice every billing period due, in batches, on the day of each
        company (its time zone).

        A batch holds whole invoices (a customer's grouped contracts are never
        split), is locked with FOR UPDATE SKIP LOCKED (a second worker takes
        other batches), invoiced in one ``account.move.create``, and committed
        (outside tests). A failing contract or grouped invoice is isolated
        and its contracts get an activity; the others are invoiced.
        """
        Period = self.env["service.contract.period"]
        summary = self.env._("Invoicing failed")

        def invoice(periods, _day):
            _moves, failures = periods._create_invoices()
            for contract, error in failures.items():
                contract._notify_cron_error(summary, error)
            return len(periods)

        return sum(
            self._run_cron_batches(
                Period._get_due_domain,
                invoice,
                summary,
                today,
                model="service.contract.period",
                batch_size_key="service_contract.invoice_batch_size",
                order="invoice_date, partner_invoice_id, contract_id, id",
                recheck=False,
                isolate=False,
                split=lambda periods, size: periods._split_in_invoice_batches(size),
                fresh_cache=True,
            )
        )


class ServiceContractAlert(models.Model):
    _inherit = "service.contract.alert"

    kind = fields.Selection(
        selection_add=[
            ("overdue_invoice", "Overdue invoice"),
        ]
    )

    def _get_alert_actions(self):
        return {
            **super()._get_alert_actions(),
            "overdue_invoice": self.env._("Follow up the unpaid invoice"),
        }

    def _get_alert_queries(self):
        return [
            *super()._get_alert_queries(),
            SQL(
                """
                SELECT MIN(l.id) * 10 + 5, 'overdue_invoice', m.invoice_date_due,
                       c.id, NULL, c.partner_id, c.user_id, c.company_id
                  FROM account_move_line l
                  JOIN account_move m ON m.id = l.move_id
                  JOIN service_contract c ON c.id = l.service_contract_id
                  JOIN company_day d ON d.company_id = c.company_id
                 WHERE m.state = 'posted' AND m.move_type = 'out_invoice'
                   AND m.payment_state IN ('not_paid', 'partial')
                   AND m.invoice_date_due < d.today
                 GROUP BY c.id, m.id
                """
            ),
        ]
