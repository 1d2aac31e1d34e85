"""Price revision of contracts by their index clause: the proposals (what
the clause gives at a date), the contracts blocked by a missing index value
and the daily scheduled action (the application is in
``service_contract_revision_apply``)."""

import logging

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, float_round, format_date

from .date_utils import FREQUENCY_MONTHS, anniversary
from .price_revision import (
    month_start,
    raw_coefficient,
    revised_price,
    revision_coefficient,
    revision_index_month,
)
from .service_lifecycle_guard import lifecycle_write
from .service_revision_clause_mixin import _format_number

_logger = logging.getLogger(__name__)

# A contract revised late catches up at most this many yearly revisions in
# one run of the scheduled action.
MAX_CATCH_UP_REVISIONS = 10


def _format_money(amount, currency, memo=None):
    """1278.27 €: an amount as it is written in a calculation, the same in
    every language (Odoo's ``format_amount`` costs a lookup of the language
    per call, too slow for thousands of revisions).

    :param memo: a dict shared by a batch: the currency is read once
    """
    memo = {} if memo is None else memo
    key = ("money", currency.id)
    if key not in memo:
        memo[key] = (currency.decimal_places, currency.position, currency.symbol)
    decimals, position, symbol = memo[key]
    number = f"{amount:.{decimals}f}"
    if position == "before":
        return f"{symbol}\N{NO-BREAK SPACE}{number}"
    return f"{number}\N{NO-BREAK SPACE}{symbol}"


class ServiceContract(models.Model):
    _name = "service.contract"
    _inherit = ["service.contract", "service.revision.clause.mixin"]

    # The clause, copied from the template like the other terms.
    revision_fixed_part = fields.Float(
        compute="_compute_terms", store=True, readonly=False, precompute=True
    )
    revision_base_date = fields.Date(
        compute="_compute_terms", store=True, readonly=False, precompute=True
    )
    revision_index_rule = fields.Selection(
        compute="_compute_terms", store=True, readonly=False, precompute=True
    )
    revision_min = fields.Float(
        compute="_compute_terms", store=True, readonly=False, precompute=True
    )
    revision_max = fields.Float(
        compute="_compute_terms", store=True, readonly=False, precompute=True
    )
    revision_digits = fields.Integer(
        compute="_compute_terms", store=True, readonly=False, precompute=True
    )
    revision_split = fields.Selection(
        compute="_compute_terms", store=True, readonly=False, precompute=True
    )
    revision_term_ids = fields.One2many(
        "service.revision.term",
        "contract_id",
        string="Revision Indices",
        copy=True,
    )
    revision_date = fields.Date(
        string="Next Revision",
        copy=False,
        index=True,
        tracking=True,
        help="Day the prices are next revised by the clause. Set at signature "
        "to the anniversary of the start date, then moved one year on at each "
        "revision.",
    )
    revision_ids = fields.One2many(
        "service.contract.revision",
        "contract_id",
        string="Price Revisions",
        readonly=True,
    )
    revision_count = fields.Integer(compute="_compute_revision_count")
    revision_blocked = fields.Boolean(
        copy=False,
        readonly=True,
        index=True,
        help="The last attempt to revise the prices found an index value "
        "missing: nothing was changed; the revision happens once it is "
        "entered, from the revision date.",
    )
    revision_blocked_reason = fields.Char(
        string="Revision Blocked By", copy=False, readonly=True
    )

    # Guarded fields (see service_lifecycle_guard.py).
    def _get_action_fields(self):
        return (
            *super()._get_action_fields(),
            "revision_blocked",
            "revision_blocked_reason",
        )

    def _get_frozen_fields(self):
        """The clause is part of the signed agreement."""
        return (
            *super()._get_frozen_fields(),
            *self._get_revision_clause_fields(),
            "revision_term_ids",
        )

    @api.depends("revision_ids")
    def _compute_revision_count(self):
        counts = dict(
            self.env["service.contract.revision"]._read_group(
                [("contract_id", "in", self.ids)], ["contract_id"], ["__count"]
            )
        )
        for contract in self:
            contract.revision_count = counts.get(contract, 0)

    @api.model
    def _get_terms_fields(self):
        return [*super()._get_terms_fields(), *self._get_revision_clause_fields()]

    @api.constrains("revision_date", "revision_base_date")
    def _check_revision_date(self):
        for contract in self:
            if (
                contract.revision_date
                and contract.revision_base_date
                and contract.revision_date < month_start(contract.revision_base_date)
            ):
                raise ValidationError(
                    self.env._(
                        "Contract %(name)s: the next price revision (%(date)s) "
                        "cannot be before the base month of the clause "
                        "(%(month)s).",
                        name=contract.display_name,
                        date=contract.revision_date,
                        month=contract.revision_base_date.strftime("%Y-%m"),
                    )
                )

    @api.model
    def _get_template_records(self):
        return {
            **super()._get_template_records(),
            "revision_term_ids": "_prepare_contract_term_vals",
        }

    def _on_signed(self):
        """The first revision is on the anniversary of the start date, unless
        a date was agreed."""
        res = super()._on_signed()
        for contract in self:
            if contract.has_revision and not contract.revision_date:
                contract.revision_date = anniversary(contract.date_start, 1, "year")
        return res

    def action_view_revisions(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Price Revisions"),
            "res_model": "service.contract.revision",
            "view_mode": "list,form",
            "domain": [("contract_id", "=", self.id)],
            "context": {"create": False},
        }

    # ------------------------------------------------------------------
    # Proposals: what the clause gives, computed for a batch at once.
    # ------------------------------------------------------------------

    def _get_revision_proposals(self, date=None):
        """What the revision clause of these contracts gives on ``date``
        (default: each contract's ``revision_date``), without changing
        anything. Contracts without a clause or a date are left out.

        Read in a few queries for the whole batch: the contracts, their
        terms and lines, the index values of every (index, month) needed in
        one query, the last known values in another.

        :return: {contract_id: proposal}, a proposal being a dict with
            ``date``, ``coefficient`` (False when a value is missing),
            ``values`` (dicts index_id, weight, base_date, base_value, date,
            value), ``missing`` ([(index, month)]), ``lines`` (dicts
            contract_line_id, name, price_before, price_after,
            amount_before, amount_after), ``amount_before``,
            ``amount_after`` (yearly), ``formula`` (worked example),
            ``kind`` ("index") and ``percentage`` (0.0).
        """
        date = fields.Date.to_date(date) if date else None
        self._prefetch_revision_data()
        contracts = self.filtered(
            lambda c: c.has_revision
            and c.revision_base_date
            and (date or c.revision_date)
        )
        plans, pairs, last_pairs = {}, set(), set()
        for contract in contracts:
            revision_date = date or contract.revision_date
            base = month_start(contract.revision_base_date)
            if revision_date < base:
                raise UserError(
                    self.env._(
                        "Contract %(name)s: a revision on %(date)s is before the "
                        "base month of its clause (%(month)s).",
                        name=contract.display_name,
                        date=revision_date,
                        month=base.strftime("%Y-%m"),
                    )
                )
            rule = contract.revision_index_rule or "same_month"
            month = revision_index_month(base, revision_date, rule)
            for term in contract.revision_term_ids:
                pairs.add((term.index_id.id, base))
                if rule == "same_month":
                    pairs.add((term.index_id.id, month))
                else:
                    last_pairs.add((term.index_id.id, revision_date))
            plans[contract] = (revision_date, base, month, rule)
        Value = self.env["service.price.index.value"]
        values = Value._get_values(pairs)
        last_values = Value._get_last_values(last_pairs)
        # Contracts of one clause share their coefficient and most of their
        # worked formula: computed once for the batch.
        proposals, coefficients, memo = {}, {}, {}
        for contract, (revision_date, base, month, rule) in plans.items():
            value_list, missing = [], []
            for term in contract.revision_term_ids:
                index = term.index_id
                base_value = values.get((index.id, base), False)
                if rule == "same_month":
                    used_month = month
                    value = values.get((index.id, month), False)
                else:
                    used_month, value = last_values.get(
                        (index.id, revision_date), (month, False)
                    )
                if not base_value:
                    missing.append((index, base))
                if not value:
                    missing.append((index, used_month))
                value_list.append(
                    {
                        "index_id": index.id,
                        "weight": term.weight,
                        "base_date": base,
                        "base_value": base_value,
                        "date": used_month,
                        "value": value,
                    }
                )
            coefficient = False
            if not missing:
                terms = tuple(
                    (v["weight"], v["base_value"], v["value"]) for v in value_list
                )
                key = (
                    contract.revision_fixed_part,
                    terms,
                    contract.revision_min,
                    contract.revision_max,
                    contract.revision_digits,
                )
                if key not in coefficients:
                    coefficients[key] = revision_coefficient(
                        key[0], terms, minimum=key[2], maximum=key[3], digits=key[4]
                    )
                coefficient = coefficients[key]
            proposals[contract.id] = contract._prepare_revision_proposal(
                revision_date, coefficient, value_list, missing, memo=memo
            )
        return proposals

    def _get_percentage_proposals(self, percentage, date=None):
        """Proposals of a negotiated change of ``percentage`` percent on
        ``date`` (default: the revision date, else today), for contracts
        with or without a clause; same shape as ``_get_revision_proposals``.
        """
        if percentage <= -100:
            raise UserError(
                self.env._("A price revision cannot lower the prices by 100% or more.")
            )
        date = fields.Date.to_date(date) if date else None
        self._prefetch_revision_data()
        coefficient = round(1 + percentage / 100, 6)
        memo = {}
        return {
            contract.id: contract._prepare_revision_proposal(
                date or contract.revision_date or contract.company_id._service_today(),
                coefficient,
                [],
                [],
                kind="percentage",
                percentage=percentage,
                memo=memo,
            )
            for contract in self
        }

    def _prefetch_revision_data(self):
        self.fetch(
            [
                "name",
                "company_id",
                "currency_id",
                "partner_id",
                "state",
                "invoicing_frequency",
                "revision_date",
                "revision_blocked",
                "has_revision",
                "amount_untaxed",
                *self._get_revision_clause_fields(),
            ]
        )
        self.partner_id.fetch(["lang"])
        self.revision_term_ids.fetch(["index_id", "weight", "contract_id"])
        self.revision_term_ids.index_id.fetch(["name", "code"])
        self.line_ids.fetch(
            ["name", "product_id", "quantity", "price_unit", "discount", "contract_id"]
        )

    def _get_periods_per_year(self):
        self.ensure_one()
        return 12 / FREQUENCY_MONTHS.get(self.invoicing_frequency, 12)

    def _prepare_revision_proposal(
        self,
        date,
        coefficient,
        values,
        missing,
        kind="index",
        percentage=0.0,
        memo=None,
    ):
        """The proposal of one contract: its lines at the current and at the
        revised prices (yearly amounts), and the worked formula.

        :param memo: a dict shared by the proposals of one batch (what
            contracts of the same clause and language have in common)
        """
        self.ensure_one()
        rounding = self.currency_id.rounding
        per_year = self._get_periods_per_year()
        lines = []
        for line in self.line_ids:
            price_before = line.price_unit
            price_after = (
                revised_price(price_before, coefficient, rounding)
                if coefficient
                else price_before
            )
            quantity, discount = line.quantity, line.discount
            factor = quantity * (1 - discount / 100) * per_year
            lines.append(
                {
                    "contract_line_id": line.id,
                    "name": line.name or line.product_id.display_name or "",
                    "price_before": price_before,
                    "price_after": price_after,
                    "quantity": quantity,
                    "discount": discount,
                    "amount_before": float_round(
                        price_before * factor, precision_rounding=rounding
                    ),
                    "amount_after": float_round(
                        price_after * factor, precision_rounding=rounding
                    ),
                }
            )
        proposal = {
            "date": date,
            "kind": kind,
            "percentage": percentage,
            "coefficient": coefficient,
            "values": values,
            "missing": missing,
            "lines": lines,
            "amount_before": float_round(
                sum(x["amount_before"] for x in lines), precision_rounding=rounding
            ),
            "amount_after": float_round(
                sum(x["amount_after"] for x in lines), precision_rounding=rounding
            ),
        }
        proposal["formula"] = self._get_revision_formula(proposal, memo=memo)
        return proposal

    def _get_revision_formula(self, proposal, memo=None):
        """The revision as a worked example, in the customer's language:

        P = P0 × (0.15 + 0.85 × ING / ING0)
        ING: I0 = 121.2 (2021-08), I = 130.5 (2023-08)
        Coefficient = 0.15 + 0.85 × 130.5 / 121.2 = 1.065223
        Boiler service: 1,200.00 × 1.065223 = 1,278.27

        :param memo: a dict shared by the proposals of one batch: the lines
            of the clause, the values and the coefficient are written once
            per clause and language
        """
        self.ensure_one()
        memo = {} if memo is None else memo
        lang = self.partner_id.lang or self.env.lang
        key = (
            "formula",
            lang,
            proposal["kind"],
            proposal["percentage"],
            proposal["coefficient"],
            self.revision_fixed_part,
            self.revision_digits,
            tuple(tuple(sorted(value.items())) for value in proposal["values"]),
        )
        if key not in memo:
            env = self.with_context(lang=lang).env
            memo[key] = (env, self._get_revision_formula_head(proposal, env))
        env, head = memo[key]
        coefficient = proposal["coefficient"]
        if not coefficient:
            return "\n".join(head)
        currency = self.currency_id
        text = list(head)
        for line in proposal["lines"][:1]:
            text.append(
                env._(
                    "%(service)s: %(before)s × %(coefficient)s = %(after)s",
                    service=(line["name"] or "").splitlines()[0]
                    if line["name"]
                    else "",
                    before=_format_money(line["price_before"], currency, memo),
                    coefficient=_format_number(coefficient),
                    after=_format_money(line["price_after"], currency, memo),
                )
            )
        text.append(
            env._(
                "Yearly amount: %(before)s before, %(after)s after.",
                before=_format_money(proposal["amount_before"], currency, memo),
                after=_format_money(proposal["amount_after"], currency, memo),
            )
        )
        return "\n".join(text)

    def _get_revision_formula_head(self, proposal, env):
        """The lines of the worked formula before the services': the clause,
        the index values, the coefficient (or the negotiated percentage)."""
        self.ensure_one()
        coefficient = proposal["coefficient"]
        if proposal["kind"] == "percentage":
            text = [
                env._(
                    "Negotiated revision: %(percentage)s%% (coefficient "
                    "%(coefficient)s).",
                    percentage=_format_number(proposal["percentage"], 4),
                    coefficient=_format_number(coefficient),
                )
            ]
        else:
            indices = self.env["service.price.index"].browse(
                [value["index_id"] for value in proposal["values"]]
            )
            text = [self._get_revision_clause_text()]
            for value, index in zip(proposal["values"], indices, strict=True):
                text.append(
                    env._(
                        "%(index)s: I0 = %(base_value)s (%(base_month)s), "
                        "I = %(value)s (%(month)s)",
                        index=index.code or index.name,
                        base_value=_format_number(value["base_value"] or 0, 4),
                        base_month=value["base_date"].strftime("%Y-%m"),
                        value=_format_number(value["value"] or 0, 4)
                        if value["value"]
                        else "?",
                        month=value["date"].strftime("%Y-%m") if value["date"] else "?",
                    )
                )
            if not coefficient:
                return text
            terms = " + ".join(
                [_format_number(self.revision_fixed_part)]
                + [
                    f"{_format_number(v['weight'])} × {_format_number(v['value'], 4)}"
                    f" / {_format_number(v['base_value'], 4)}"
                    for v in proposal["values"]
                ]
            )
            raw = raw_coefficient(
                self.revision_fixed_part,
                [
                    (v["weight"], v["base_value"], v["value"])
                    for v in proposal["values"]
                ],
            )
            rounded = round(float(raw), self.revision_digits)
            text.append(
                env._(
                    "Coefficient = %(terms)s = %(raw)s, rounded to %(digits)s "
                    "decimals: %(rounded)s",
                    terms=terms,
                    raw=_format_number(float(raw), self.revision_digits + 3),
                    digits=self.revision_digits,
                    rounded=_format_number(rounded, self.revision_digits),
                )
            )
            if coefficient != rounded:
                text.append(
                    env._(
                        "Floor or cap of the clause applied: coefficient "
                        "%(coefficient)s",
                        coefficient=_format_number(coefficient),
                    )
                )
        return text

    # ------------------------------------------------------------------
    # Missing index values
    # ------------------------------------------------------------------

    def _get_revision_blocked_summary(self):
        return self.env._("Price revision blocked: index value missing")

    def _block_revisions(self, proposals):
        """Nothing changes; each contract says what is missing, once: one
        activity, kept until the revision happens."""
        summary = self._get_revision_blocked_summary()
        for contract in self:
            reason = self._format_missing_values(proposals[contract.id]["missing"])
            if (
                not contract.revision_blocked
                or contract.revision_blocked_reason != reason
            ):
                with lifecycle_write():
                    contract.write(
                        {"revision_blocked": True, "revision_blocked_reason": reason}
                    )
            contract._notify_cron_error(
                summary,
                self.env._(
                    "The prices of %(name)s are to be revised on %(date)s, but "
                    "%(reason)s. Enter the value: the revision then happens "
                    "from that date.",
                    name=contract.name,
                    date=format_date(self.env, proposals[contract.id]["date"]),
                    reason=reason,
                ),
            )

    def _close_revision_blocked_activities(self):
        """The revision happened: its 'index value missing' activity is done."""
        if not self:
            return
        activities = self.env["mail.activity"].search(
            [
                ("res_model", "=", self._name),
                ("res_id", "in", self.ids),
                ("summary", "=", self._get_revision_blocked_summary()),
            ]
        )
        if activities:
            activities.action_done()

    # ------------------------------------------------------------------
    # Scheduled action
    # ------------------------------------------------------------------

    @api.model
    def _get_revision_due_domain(self, today):
        return [
            ("state", "=", "running"),
            ("has_revision", "=", True),
            ("revision_date", "<=", today),
        ]

    @api.model
    def _cron_revise_prices(self, today=None):
        """Daily: revise the prices of the running contracts whose revision
        date has come, on the day of each company (its time zone).

        Contracts are locked with SKIP LOCKED and read again once locked:
        two workers never revise a contract twice, and a contract revised
        is due again only a year later. A missing index value blocks the
        contract (one activity), a failing contract gets an activity; the
        others are revised.
        """
        summary = self.env._("Price revision failed")
        results = self._run_cron_batches(
            self._get_revision_due_domain,
            lambda contracts, day: contracts._revise_prices(day),
            summary,
            today,
        )
        return sum(len(revisions) for revisions in results)

    def _revise_prices(self, today):
        """Revise these contracts, due on ``today``: each revision date that
        has come (a contract revised late catches up year by year). Those
        missing an index value are blocked and left unchanged.

        :return: the revisions created
        """
        revisions = self.env["service.contract.revision"]
        todo = self
        for _round in range(MAX_CATCH_UP_REVISIONS):
            todo = todo.filtered(
                lambda c: c.revision_date
                and c.revision_date <= today
                and not (
                    c.date_effective_end and c.date_effective_end < c.revision_date
                )
            )
            if not todo:
                break
            proposals = todo._get_revision_proposals()
            blocked = {cid: p for cid, p in proposals.items() if p["missing"]}
            ready = {cid: p for cid, p in proposals.items() if not p["missing"]}
            self.browse(list(blocked))._block_revisions(blocked)
            if not ready:
                break
            revisions |= todo._apply_revisions(ready)
            todo = self.browse(list(ready))
        return revisions


class ServiceContractAlert(models.Model):
    _inherit = "service.contract.alert"

    kind = fields.Selection(
        selection_add=[
            ("revision_blocked", "Price revision blocked"),
        ]
    )

    @api.depends("contract_id.revision_blocked_reason")
    def _compute_action(self):
        result = super()._compute_action()
        for alert in self.filtered(lambda a: a.kind == "revision_blocked"):
            alert.action = self.env._(
                "Enter the missing index value in Configuration > Price "
                "Indices (%(reason)s): the prices are revised on the next "
                "run, from the revision date",
                reason=alert.contract_id.revision_blocked_reason or "",
            )
        return result

    def _get_alert_queries(self):
        return [
            *super()._get_alert_queries(),
            SQL(
                """
                SELECT c.id * 10 + 7, 'revision_blocked', c.revision_date,
                       c.id, NULL, c.partner_id, c.user_id, c.company_id
                  FROM service_contract c
                 WHERE c.state = 'running' AND c.revision_blocked
                """
            ),
        ]
