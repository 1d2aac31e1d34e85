from collections import defaultdict
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL, float_compare
from odoo.tools.misc import format_date

from .selection import selection_label
from .service_lifecycle_guard import lifecycle_action

HEALTH_LEVELS = [("good", "Good"), ("watch", "Watch"), ("at_risk", "At Risk")]
HEALTH_RANK = {"good": 0, "watch": 1, "at_risk": 2}

# (rule, level it gives), in the order the reasons are listed. The levels
# are stated in the Settings help (views/service_contract_health_views.xml).
HEALTH_RULES = [
    ("overdue", "at_risk"),
    ("notice", "at_risk"),
    ("late_visit", "watch"),
    ("margin", "watch"),
    ("chatel", "watch"),
]


class ServiceContract(models.Model):
    """The health of a running contract: good, watch or at risk, from rules
    the manager reads and tunes in the Settings (overdue invoices, late
    visits, margin over the last 12 months, notice received, Loi Chatel).

    Recomputed every day by a scheduled action, which writes only the
    contracts whose health changed. What fired is stored as figures
    (``health_details``), so that the reasons read in each user's language.
    """

    _inherit = "service.contract"

    # Internal judgement of the contract: for contract users, never the
    # customer (portal) nor a salesperson or accountant.
    health = fields.Selection(
        HEALTH_LEVELS,
        copy=False,
        readonly=True,
        index=True,
        groups="service_contract.group_service_contract_user",
        help="Recomputed every day for running contracts from the rules set in "
        "Settings > Contracts > Contract Health.",
    )
    health_details = fields.Json(
        copy=False,
        readonly=True,
        groups="service_contract.group_service_contract_user",
        help="The rules that fired, with their figures.",
    )
    health_date = fields.Date(
        string="Health Since",
        copy=False,
        readonly=True,
        groups="service_contract.group_service_contract_user",
        help="Day the health last changed.",
    )
    health_reasons = fields.Text(
        compute="_compute_health_reasons",
        groups="service_contract.group_service_contract_user",
        help="The rules that set the health, with their figures.",
    )

    # Guarded fields (see service_lifecycle_guard.py).
    def _get_lifecycle_actions(self):
        return (*super()._get_lifecycle_actions(), "_update_health")

    def _get_action_fields(self):
        return (
            *super()._get_action_fields(),
            "health",
            "health_details",
            "health_date",
        )

    @api.depends("health", "health_details", "date_end")
    @api.depends_context("lang")
    def _compute_health_reasons(self):
        rule_levels = dict(self._get_health_rules())
        for contract in self:
            details = contract.health_details or {}
            lines = []
            for rule, _level in self._get_health_rules():
                if rule in details:
                    reason = contract._get_health_reason(rule, details[rule])
                    level = selection_label(self, "health", rule_levels[rule])
                    lines.append(f"{level}: {reason}")
            contract.health_reasons = "\n".join(lines)

    # ------------------------------------------------------------------
    # Rules
    # ------------------------------------------------------------------

    @api.model
    def _get_health_rules(self):
        """[(rule, level)]: each rule is computed by ``_health_rule_<rule>``
        and worded by ``_get_health_reason``; extend both to add one."""
        return list(HEALTH_RULES)

    def _get_health_reason(self, rule, details):
        """The reason of ``rule`` firing, in the user's language."""
        self.ensure_one()

        def date(value):
            return format_date(self.env, value)

        # A sentence for one, another for several: Odoo has no plural forms
        # in its translations.
        values = {
            "count": details.get("count"),
            "days": details.get("days"),
            "date": date(details["date"]) if details.get("date") else "",
        }
        if rule == "overdue":
            if details["count"] == 1:
                return self.env._(
                    "%(count)s invoice overdue by more than %(days)s days "
                    "(due on %(date)s).",
                    **values,
                )
            return self.env._(
                "%(count)s invoices overdue by more than %(days)s days "
                "(oldest due on %(date)s).",
                **values,
            )
        if rule == "late_visit":
            if details["count"] == 1:
                return self.env._(
                    "%(count)s visit still not done %(days)s days after its "
                    "window (ended on %(date)s).",
                    **values,
                )
            return self.env._(
                "%(count)s visits still not done %(days)s days after their "
                "window (oldest window ended on %(date)s).",
                **values,
            )
        if rule == "margin":
            if details.get("rate") is None:
                return self.env._(
                    "Costs over the last 12 months with nothing invoiced "
                    "(minimum margin %(min)s%%).",
                    min=details["min"],
                )
            return self.env._(
                "Margin over the last 12 months of %(rate)s%%, below " "%(min)s%%.",
                rate=details["rate"],
                min=details["min"],
            )
        if rule == "notice":
            return self.env._(
                "Notice received from the customer on %(date)s: the contract "
                "ends on %(end)s.",
                date=date(details["date"]),
                end=date(self.date_end),
            )
        if rule == "chatel":
            return self.env._(
                "Terminable at any time: the renewal reminder was not sent in "
                "time (Loi Chatel)."
            )
        return rule

    def _health_rule_overdue(self, today):
        """Customer invoices unpaid more than the company's number of days
        after their due date. Read as superuser, restricted to these
        contracts' lines, as the overdue amounts of the contract are."""
        lines_sudo = self.env["account.move.line"].sudo()
        fired = {}
        for company, contracts in self.grouped("company_id").items():
            days = company.service_health_overdue_days
            groups = lines_sudo._read_group(
                [
                    ("service_contract_id", "in", contracts.ids),
                    ("display_type", "=", "product"),
                    ("parent_state", "=", "posted"),
                    ("move_id.move_type", "=", "out_invoice"),
                    ("move_id.payment_state", "in", ("not_paid", "partial")),
                    ("move_id.invoice_date_due", "<", today - timedelta(days=days)),
                ],
                ["service_contract_id", "move_id"],
            )
            moves = defaultdict(list)
            for contract, move in groups:
                moves[contract].append(move)
            for contract, contract_moves in moves.items():
                fired[contract.id] = {
                    "count": len(contract_moves),
                    "days": days,
                    "date": fields.Date.to_string(
                        min(move.invoice_date_due for move in contract_moves)
                    ),
                }
        return fired

    def _health_rule_late_visit(self, today):
        """Visits to plan or planned still not done more than the company's
        number of days after the end of their window."""
        Intervention = self.env["service.intervention"].sudo()
        fired = {}
        for company, contracts in self.grouped("company_id").items():
            days = company.service_health_late_visit_days
            groups = Intervention._read_group(
                [
                    ("contract_id", "in", contracts.ids),
                    ("state", "in", ("to_plan", "planned")),
                    ("date_window_end", "<", today - timedelta(days=days)),
                ],
                ["contract_id"],
                ["__count", "date_window_end:min"],
            )
            for contract, count, oldest in groups:
                fired[contract.id] = {
                    "count": count,
                    "days": days,
                    "date": fields.Date.to_string(oldest),
                }
        return fired

    def _health_rule_margin(self, today):
        """Margin rate over the 12 months ending ``today`` (the company's
        day), below the company's minimum: revenue and costs as the
        contract's profitability counts them (``_get_profitability_between``,
        read from the profitability report). Applies to contracts with costs
        or revenue in that time."""
        date_from = today - relativedelta(years=1) + timedelta(days=1)
        figures = self._get_profitability_between(date_from, today)
        fired = {}
        for contract in self:
            revenue, cost = figures.get(contract.id, (0.0, 0.0))
            currency = contract.company_id.currency_id
            if currency.is_zero(revenue) and currency.is_zero(cost):
                continue
            minimum = contract.company_id.service_health_margin_min
            if revenue <= 0:
                fired[contract.id] = {"rate": None, "min": minimum}
                continue
            rate = round((revenue - cost) / revenue * 100, 2)
            if float_compare(rate, minimum, precision_digits=2) < 0:
                fired[contract.id] = {"rate": rate, "min": minimum}
        return fired

    def _health_rule_notice(self, today):
        """The customer refused the renewal: the contract ends at term."""
        return {
            contract.id: {"date": fields.Date.to_string(contract.notice_date)}
            for contract in self
            if contract.notice_date and contract.notice_by == "customer"
        }

    def _health_rule_chatel(self, today):
        """The Loi Chatel reminder was missed: terminable at any time."""
        return {contract.id: {} for contract in self if contract.chatel_terminable}

    # ------------------------------------------------------------------
    # Computation
    # ------------------------------------------------------------------

    def _compute_health_values(self, today):
        """{contract id: (health, details)} on ``today``, with one grouped
        query per rule for the whole recordset. Only running contracts have
        a health; the others get none."""
        running = self.filtered(lambda c: c.state == "running")
        values = {contract.id: (False, False) for contract in self - running}
        details = {contract.id: {} for contract in running}
        health = {contract.id: "good" for contract in running}
        for rule, level in self._get_health_rules():
            if not running:
                break
            for contract_id, figures in getattr(running, f"_health_rule_{rule}")(
                today
            ).items():
                details[contract_id][rule] = figures
                if HEALTH_RANK[level] > HEALTH_RANK[health[contract_id]]:
                    health[contract_id] = level
        for contract in running:
            values[contract.id] = (health[contract.id], details[contract.id] or False)
        return values

    @lifecycle_action
    def _update_health(self, today):
        """Write the health of these contracts on ``today`` where it changed;
        return how many contracts were written."""
        values = self._compute_health_values(today)
        written = 0
        for contract in self:
            health, details = values[contract.id]
            if (
                contract.health == health
                and (contract.health_details or False) == details
            ):
                continue
            vals = {"health_details": details}
            if contract.health != health:
                vals.update(health=health, health_date=health and today)
            contract.write(vals)
            written += 1
        return written

    def _update_health_today(self):
        """Update the health on the day of each contract's company."""
        for company, contracts in self.grouped("company_id").items():
            contracts._update_health(company._service_today())

    def _on_signed(self):
        res = super()._on_signed()
        self._update_health_today()
        return res

    def _on_closed(self, reason, date):
        res = super()._on_closed(reason, date)
        self._update_health_today()
        return res

    # ------------------------------------------------------------------
    # Scheduled action
    # ------------------------------------------------------------------

    @api.model
    def _get_health_domain(self):
        """Running contracts, and those that still carry a health."""
        return ["|", ("state", "=", "running"), ("health", "!=", False)]

    @api.model
    def _cron_update_health(self, today=None):
        """Daily: recompute the health of the contracts on the day of each
        company (its time zone), in batches committed one by one, writing
        only the contracts whose health changed.

        Contracts are locked with SKIP LOCKED: two workers never update the
        same contract. A contract that fails gets an activity; the others
        are updated. Returns how many contracts were written.
        """
        summary = self.env._("Contract health update failed")
        return sum(
            self._run_cron_batches(
                lambda _day: self._get_health_domain(),
                lambda contracts, day: contracts._update_health(day),
                summary,
                today,
                recheck=False,
                fresh_cache=True,
            )
        )


class ServiceContractAlert(models.Model):
    _inherit = "service.contract.alert"

    kind = fields.Selection(
        selection_add=[
            ("at_risk", "Contract at risk"),
        ]
    )

    def _get_alert_actions(self):
        return {
            **super()._get_alert_actions(),
            "at_risk": self.env._(
                "Read the health reasons on the contract and call the customer"
            ),
        }

    def _get_alert_queries(self):
        return [
            *super()._get_alert_queries(),
            SQL(
                """
                SELECT c.id * 10 + 6, 'at_risk', c.health_date,
                       c.id, NULL, c.partner_id, c.user_id, c.company_id
                  FROM service_contract c
                 WHERE c.state = 'running' AND c.health = 'at_risk'
                """
            ),
        ]
