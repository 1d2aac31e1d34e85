from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL, format_amount

from ..models.service_contract_renewal import RENEWAL_ALERT_DAYS
from .service_contract_mrr_report import ServiceContractMrrReport
from .sql_report import merge_depends

# Horizons of the tiles, in days.
TERM_HORIZON = 90
# As in the alerts.
NOTICE_HORIZON = RENEWAL_ALERT_DAYS
VISIT_HORIZON = 14
CHURN_MONTHS = 12

TILES = [
    ("mrr", "Recurring Revenue (MRR)"),
    ("mrr_movement", "MRR Movement Over 12 Months"),
    ("term", "Ending Within 90 Days"),
    ("notice", "Notice Deadlines Within 60 Days"),
    ("churn", "Churn Over 12 Months"),
    ("at_risk", "Contracts at Risk"),
    ("visits_due", "Visits Due Within 14 Days"),
    ("visits_late", "Late Visits"),
    ("overdue", "Overdue Receivables"),
    ("least_profitable", "Least Profitable Contracts"),
]
# Tiles whose figure is an amount rather than a number of records.
AMOUNT_TILES = ("mrr", "mrr_movement", "overdue", "least_profitable")
# The least profitable contracts shown.
LEAST_PROFITABLE_LIMIT = 10


class ServiceContractDashboard(models.Model):
    """The manager's first screen: one tile per figure, each opening the
    records behind it.

    A read-only SQL view computed on the fly, one row per tile and company,
    so that the figures are always those of the records they open. "Today"
    is each company's day (``res.company._service_today``), computed in
    Python and passed to the query, so that a tile and its action agree.
    """

    _name = "service.contract.dashboard"
    _inherit = "service.sql.report"
    _description = "Service Contracts Dashboard"
    _auto = False
    _order = "sequence, company_id"
    _rec_name = "tile"

    tile = fields.Selection(TILES, readonly=True)
    sequence = fields.Integer(readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    record_count = fields.Integer(string="Count", readonly=True)
    record_count_secondary = fields.Integer(string="Secondary Count", readonly=True)
    amount = fields.Monetary(readonly=True)
    amount_secondary = fields.Monetary(string="Secondary Amount", readonly=True)
    show_amount = fields.Boolean(compute="_compute_description")
    description = fields.Char(compute="_compute_description")

    _depends = merge_depends(
        # The MRR movement tile reads the MRR movement report's query.
        ServiceContractMrrReport._depends,
        {
            "service.contract": [
                "company_id",
                "state",
                "date_end",
                "notice_deadline",
                "notice_date",
                "date_termination",
                "renewal_type",
                "commercial_partner_id",
                "amount_monthly",
                "margin",
                "health",
            ],
            "service.intervention": [
                "company_id",
                "state",
                "date_due",
                "date_window_end",
            ],
            "account.move": [
                "company_id",
                "move_type",
                "state",
                "payment_state",
                "invoice_date_due",
                "amount_residual_signed",
                "commercial_partner_id",
            ],
        },
    )

    # Every figure the texts read: the kanban's read fetches them with the
    # tile in one query (a figure missing from it would compute the whole
    # view a second time).
    @api.depends(
        "tile",
        "record_count",
        "record_count_secondary",
        "amount",
        "amount_secondary",
        "currency_id",
    )
    def _compute_description(self):
        for tile in self:
            tile.show_amount = tile.tile in AMOUNT_TILES
            tile.description = tile._get_tile_description()

    # ------------------------------------------------------------------
    # The query: one ``_select_<tile>`` per tile, each returning one row
    # per company (``company_id, record_count, record_count_secondary,
    # amount, amount_secondary``) from the ``company_day`` rows
    # (``company_id, today``).
    # ------------------------------------------------------------------

    @property
    def _table_query(self):
        selects = [
            SQL(
                "SELECT t.company_id * 100 + %(seq)s AS id, %(tile)s AS tile, "
                "%(seq)s AS sequence, t.company_id, "
                "COALESCE(t.record_count, 0) AS record_count, "
                "COALESCE(t.record_count_secondary, 0) AS record_count_secondary, "
                "COALESCE(t.amount, 0.0) AS amount, "
                "COALESCE(t.amount_secondary, 0.0) AS amount_secondary "
                "FROM (%(select)s) t",
                seq=sequence,
                tile=tile,
                select=select,
            )
            for sequence, (tile, select) in enumerate(self._get_tile_selects(), start=1)
        ]
        return SQL(
            "WITH company_day(company_id, today) AS (%s) %s",
            self._company_day(self.env.companies),
            SQL(" UNION ALL ").join(selects),
        )

    def _get_tile_selects(self):
        """(tile, query) pairs in the order of the dashboard; modules add
        theirs by extending this list."""
        return [
            ("mrr", self._select_mrr()),
            ("mrr_movement", self._select_mrr_movement()),
            ("term", self._select_term()),
            ("notice", self._select_notice()),
            ("churn", self._select_churn()),
            ("at_risk", self._select_at_risk()),
            ("visits_due", self._select_visits_due()),
            ("visits_late", self._select_visits_late()),
            ("overdue", self._select_overdue()),
            ("least_profitable", self._select_least_profitable()),
        ]

    def _select_tile(
        self,
        source,
        alias,
        condition,
        record_count,
        record_count_secondary=None,
        amount=None,
        amount_secondary=None,
    ):
        """The skeleton of a tile's query: one row per company, counting
        and summing the rows of ``source`` (a table name, or an SQL query)
        of that company meeting ``condition`` (on ``d.today``, the
        company's day). The figures not given are empty."""
        if isinstance(source, str):
            source = SQL.identifier(source)
        else:
            source = SQL("(%s)", source)
        alias = SQL.identifier(alias)
        return SQL(
            """
            SELECT d.company_id, %(count)s AS record_count,
                   %(count_secondary)s AS record_count_secondary,
                   %(amount)s AS amount,
                   %(amount_secondary)s AS amount_secondary
              FROM company_day d
              LEFT JOIN %(source)s %(alias)s
                ON %(alias)s.company_id = d.company_id AND %(condition)s
             GROUP BY d.company_id
            """,
            count=record_count,
            count_secondary=record_count_secondary or SQL("NULL::integer"),
            amount=amount or SQL("NULL::numeric"),
            amount_secondary=amount_secondary or SQL("NULL::numeric"),
            source=source,
            alias=alias,
            condition=condition,
        )

    def _select_mrr(self):
        """The monthly recurring revenue in force today (and the contracts
        making it): running contracts started and not ended yet, as the
        MRR movement counts them. ARR is twelve times the MRR."""
        return self._select_tile(
            "service_contract",
            "c",
            SQL(
                """c.state = 'running' AND c.date_start <= d.today
                AND (c.date_effective_end IS NULL OR c.date_effective_end >= d.today)"""
            ),
            SQL("COUNT(c.id)"),
            amount=SQL("SUM(c.amount_monthly)"),
            amount_secondary=SQL("12 * SUM(c.amount_monthly)"),
        )

    def _select_mrr_movement(self):
        """The net MRR movement of the last 12 months (this month included)
        and the MRR lost to terminations, from the MRR movement report."""
        return self._select_tile(
            self.env["service.contract.mrr.report"]._table_query,
            "r",
            SQL(
                """r.date >= (date_trunc('month', d.today) - %s)::date
                AND r.date <= d.today""",
                SQL("interval %s", f"{CHURN_MONTHS - 1} months"),
            ),
            SQL("COUNT(r.id)"),
            SQL("COUNT(r.id) FILTER (WHERE r.movement = 'terminated')"),
            amount=SQL("SUM(r.mrr_change)"),
            amount_secondary=SQL(
                "SUM(r.mrr_change) FILTER (WHERE r.movement = 'terminated')"
            ),
        )

    def _select_term(self):
        """Running contracts whose current term ends within 90 days."""
        return self._select_tile(
            "service_contract",
            "c",
            SQL(
                """c.state = 'running' AND c.date_termination IS NULL
                AND c.date_end BETWEEN d.today AND d.today + %s""",
                TERM_HORIZON,
            ),
            SQL("COUNT(c.id)"),
            SQL(
                """COUNT(c.id) FILTER (WHERE c.notice_date IS NOT NULL
                                       OR c.renewal_type = 'none')"""
            ),
        )

    def _select_notice(self):
        """Renewable contracts whose notice deadline falls within 60 days,
        with no notice received yet (as in the alerts)."""
        return self._select_tile(
            "service_contract",
            "c",
            SQL(
                """c.state = 'running' AND c.renewal_type != 'none'
                AND c.notice_date IS NULL AND c.date_termination IS NULL
                AND c.notice_deadline BETWEEN d.today AND d.today + %s""",
                NOTICE_HORIZON,
            ),
            SQL("COUNT(c.id)"),
            SQL("COUNT(c.id) FILTER (WHERE c.renewal_type = 'express')"),
        )

    def _select_churn(self):
        """Contracts terminated or given notice over the last 12 months."""
        return self._select_tile(
            "service_contract",
            "c",
            SQL(
                """c.state IN ('running', 'closed')
                AND (c.date_termination >= d.today - %(interval)s
                     OR c.notice_date >= d.today - %(interval)s)""",
                interval=SQL("interval %s", f"{CHURN_MONTHS} months"),
            ),
            SQL("COUNT(c.id)"),
            SQL("COUNT(c.id) FILTER (WHERE c.date_termination IS NOT NULL)"),
        )

    def _select_at_risk(self):
        """Running contracts at risk (and to watch), with the MRR at risk."""
        return self._select_tile(
            "service_contract",
            "c",
            SQL("c.state = 'running' AND c.health IN ('at_risk', 'watch')"),
            SQL("COUNT(c.id) FILTER (WHERE c.health = 'at_risk')"),
            SQL("COUNT(c.id) FILTER (WHERE c.health = 'watch')"),
            amount=SQL("SUM(c.amount_monthly) FILTER (WHERE c.health = 'at_risk')"),
        )

    def _select_visits(self, condition):
        """Open visits meeting ``condition``, and those without technician."""
        return self._select_tile(
            "service_intervention",
            "i",
            SQL("i.state IN ('to_plan', 'planned') AND %s", condition),
            SQL("COUNT(i.id)"),
            SQL("COUNT(i.id) FILTER (WHERE i.user_id IS NULL)"),
        )

    def _select_visits_due(self):
        """Open visits due within 14 days and not past their window."""
        return self._select_visits(
            SQL(
                """i.date_due <= d.today + %s
                AND (i.date_window_end IS NULL OR i.date_window_end >= d.today)""",
                VISIT_HORIZON,
            )
        )

    def _select_visits_late(self):
        """Open visits past their window (``is_late``)."""
        return self._select_visits(SQL("i.date_window_end < d.today"))

    def _select_overdue(self):
        """Posted customer invoices past due and not paid, of the customers
        who hold a contract, in company currency."""
        return self._select_tile(
            "account_move",
            "m",
            SQL(
                """m.move_type = 'out_invoice' AND m.state = 'posted'
                AND m.payment_state IN ('not_paid', 'partial')
                AND m.invoice_date_due < d.today
                AND EXISTS (
                    SELECT 1 FROM service_contract c
                     WHERE c.commercial_partner_id = m.commercial_partner_id
                       AND c.company_id = m.company_id
                       AND c.state IN ('running', 'closed'))"""
            ),
            SQL("COUNT(m.id)"),
            SQL("COUNT(DISTINCT m.commercial_partner_id)"),
            amount=SQL("SUM(m.amount_residual_signed)"),
        )

    def _select_least_profitable(self):
        """The running contracts with the lowest margins over their current
        term: how many are shown, how many lose money, and the worst margin
        (a sum of margins would say nothing: it can exceed the whole ARR)."""
        return self._select_tile(
            SQL(
                """SELECT id, company_id, margin,
                          ROW_NUMBER() OVER (PARTITION BY company_id
                                             ORDER BY margin, id) AS rank
                     FROM service_contract
                    WHERE state = 'running'"""
            ),
            "c",
            SQL("TRUE"),
            SQL("COUNT(c.id) FILTER (WHERE c.rank <= %s)", LEAST_PROFITABLE_LIMIT),
            SQL("COUNT(c.id) FILTER (WHERE c.margin < 0)"),
            amount=SQL("MIN(c.margin)"),
        )

    # ------------------------------------------------------------------
    # Texts of the cards
    # ------------------------------------------------------------------

    def _get_tile_description(self):
        self.ensure_one()
        secondary = self.record_count_secondary
        amount_secondary = format_amount(
            self.env, self.amount_secondary, self.currency_id
        )
        # One sentence for one, another for several (no plural forms in
        # Odoo's translations): "1 contract", "2 contracts".
        one = secondary == 1
        _ = self.env._
        descriptions = {
            "mrr": (
                _(
                    "ARR %(arr)s, from %(count)s contract in force.",
                    arr=amount_secondary,
                    count=self.record_count,
                )
                if self.record_count == 1
                else _(
                    "ARR %(arr)s, from %(count)s contracts in force.",
                    arr=amount_secondary,
                    count=self.record_count,
                )
            ),
            "mrr_movement": _(
                "New, renewed, revised and terminated by month; %(lost)s lost.",
                lost=amount_secondary,
            ),
            "at_risk": (
                _(
                    "%(amount)s of MRR; %(count)s more contract to watch.",
                    amount=format_amount(self.env, self.amount, self.currency_id),
                    count=secondary,
                )
                if one
                else _(
                    "%(amount)s of MRR; %(count)s more to watch.",
                    amount=format_amount(self.env, self.amount, self.currency_id),
                    count=secondary,
                )
            ),
            "least_profitable": (
                _(
                    "Worst margin over the term; %(count)s contract loses money.",
                    count=secondary,
                )
                if one
                else _(
                    "Worst margin over the term; %(count)s contracts lose money.",
                    count=secondary,
                )
            ),
            "term": (
                _(
                    "%(count)s contract will not be renewed. By renewal type.",
                    count=secondary,
                )
                if one
                else _(
                    "%(count)s will not be renewed. By renewal type.", count=secondary
                )
            ),
            "notice": _(
                "Last day to refuse the renewal; %(count)s with express renewal.",
                count=secondary,
            ),
            "churn": _(
                "Terminations (%(count)s) and notices received, by reason.",
                count=secondary,
            ),
            "visits_due": _(
                "Open visits by technician; %(count)s without technician.",
                count=secondary,
            ),
            "visits_late": _(
                "Past their window, by technician; %(count)s without technician.",
                count=secondary,
            ),
            "overdue": (
                _(
                    "Unpaid invoices past due of %(count)s contract customer.",
                    count=secondary,
                )
                if one
                else _(
                    "Unpaid invoices past due of %(count)s contract customers.",
                    count=secondary,
                )
            ),
        }
        return descriptions.get(self.tile, "")

    # ------------------------------------------------------------------
    # Actions: each tile opens the records behind its figure.
    # ------------------------------------------------------------------

    def action_open(self):
        """Open the records behind the tile (``_action_<tile>``)."""
        self.ensure_one()
        action = getattr(self, f"_action_{self.tile}")()
        action.setdefault("type", "ir.actions.act_window")
        action.setdefault("target", "current")
        action.setdefault(
            "name", self._fields["tile"].convert_to_export(self.tile, self)
        )
        action.setdefault("context", {})
        action["context"] = {**action["context"], "create": False}
        return action

    def _today(self):
        return self.company_id._service_today()

    def _company_domain(self):
        return [("company_id", "=", self.company_id.id)]

    def _contract_action(self, domain, group_by, pivot=None):
        """Contracts as list, pivot and graph, grouped as the tile says."""
        pivot = pivot or {}
        return {
            "res_model": "service.contract",
            "views": [
                (
                    self.env.ref("service_contract.service_contract_view_list").id,
                    "list",
                ),
                (
                    self.env.ref(
                        "service_contract.service_contract_view_pivot_dashboard"
                    ).id,
                    "pivot",
                ),
                (
                    self.env.ref(
                        "service_contract.service_contract_view_graph_dashboard"
                    ).id,
                    "graph",
                ),
                (False, "form"),
            ],
            "domain": self._company_domain() + domain,
            "search_view_id": [
                self.env.ref("service_contract.service_contract_view_search").id
            ],
            "context": {
                "group_by": group_by,
                "pivot_row_groupby": pivot.get("rows", group_by),
                "pivot_column_groupby": pivot.get("cols", []),
                "graph_groupbys": group_by,
            },
        }

    def _intervention_action(self, domain):
        """Visits as list, pivot and graph, by technician."""
        return {
            "res_model": "service.intervention",
            "views": [
                (False, "list"),
                (False, "pivot"),
                (False, "graph"),
                (False, "calendar"),
                (False, "form"),
            ],
            "domain": self._company_domain() + domain,
            "context": {
                "group_by": ["user_id"],
                "pivot_row_groupby": ["user_id"],
                "pivot_column_groupby": ["state"],
                "graph_groupbys": ["user_id", "state"],
            },
        }

    def _action_mrr(self):
        today = self._today()
        return self._contract_action(
            [
                ("state", "=", "running"),
                ("date_start", "<=", today),
                "|",
                ("date_effective_end", "=", False),
                ("date_effective_end", ">=", today),
            ],
            ["template_id"],
            {"rows": ["template_id"], "cols": ["invoicing_frequency"]},
        )

    def _action_mrr_movement(self):
        today = self._today()
        since = today.replace(day=1) - relativedelta(months=CHURN_MONTHS - 1)
        return {
            "res_model": "service.contract.mrr.report",
            "views": [
                (
                    self.env.ref(
                        "service_contract.service_contract_mrr_report_view_graph"
                    ).id,
                    "graph",
                ),
                (
                    self.env.ref(
                        "service_contract.service_contract_mrr_report_view_pivot"
                    ).id,
                    "pivot",
                ),
                (
                    self.env.ref(
                        "service_contract.service_contract_mrr_report_view_list"
                    ).id,
                    "list",
                ),
            ],
            "search_view_id": [
                self.env.ref(
                    "service_contract.service_contract_mrr_report_view_search"
                ).id
            ],
            "domain": self._company_domain()
            + [("date", ">=", since), ("date", "<=", today)],
            "context": {
                "group_by": ["date:month", "movement"],
                "graph_groupbys": ["date:month", "movement"],
                "pivot_row_groupby": ["date:month"],
                "pivot_column_groupby": ["movement"],
                "pivot_measures": ["mrr_change"],
                "graph_measure": "mrr_change",
            },
        }

    def _action_at_risk(self):
        return self._contract_action(
            [("state", "=", "running"), ("health", "=", "at_risk")],
            ["user_id"],
            {"rows": ["user_id"], "cols": ["template_id"]},
        )

    def _action_least_profitable(self):
        """The running contracts with the lowest margins, lowest first."""
        contracts = self.env["service.contract"].search(
            self._company_domain() + [("state", "=", "running")],
            order="margin, id",
            limit=LEAST_PROFITABLE_LIMIT,
        )
        action = self._contract_action(
            [("id", "in", contracts.ids)], [], {"rows": ["partner_id"]}
        )
        action["views"][0] = (
            self.env.ref(
                "service_contract.service_contract_view_list_least_profitable"
            ).id,
            "list",
        )
        action["context"]["graph_groupbys"] = ["partner_id"]
        return action

    def _action_term(self):
        today = self._today()
        return self._contract_action(
            [
                ("state", "=", "running"),
                ("date_termination", "=", False),
                ("date_end", ">=", today),
                ("date_end", "<=", today + timedelta(days=TERM_HORIZON)),
            ],
            ["renewal_type"],
            {"rows": ["renewal_type"], "cols": ["date_end:month"]},
        )

    def _action_notice(self):
        today = self._today()
        return self._contract_action(
            [
                ("state", "=", "running"),
                ("renewal_type", "!=", "none"),
                ("notice_date", "=", False),
                ("date_termination", "=", False),
                ("notice_deadline", ">=", today),
                ("notice_deadline", "<=", today + timedelta(days=NOTICE_HORIZON)),
            ],
            ["notice_deadline:week"],
            {"rows": ["notice_deadline:week"], "cols": ["renewal_type"]},
        )

    def _action_churn(self):
        since = self._today() - relativedelta(months=CHURN_MONTHS)
        return self._contract_action(
            [
                ("state", "in", ("running", "closed")),
                "|",
                ("date_termination", ">=", since),
                ("notice_date", ">=", since),
            ],
            ["termination_type", "notice_by"],
            {"rows": ["termination_type"], "cols": ["notice_by"]},
        )

    def _action_visits_due(self):
        today = self._today()
        return self._intervention_action(
            [
                ("state", "in", ("to_plan", "planned")),
                ("date_due", "<=", today + timedelta(days=VISIT_HORIZON)),
                "|",
                ("date_window_end", "=", False),
                ("date_window_end", ">=", today),
            ]
        )

    def _action_visits_late(self):
        return self._intervention_action(
            [
                ("state", "in", ("to_plan", "planned")),
                ("date_window_end", "<", self._today()),
            ]
        )

    def _action_overdue(self):
        """The overdue invoices for who may read them; otherwise the
        contracts of late payers (what a contract user sees of payments)."""
        if not self.env["account.move"].has_access("read"):
            return self._contract_action(
                [("state", "in", ("running", "closed")), ("is_late_payer", "=", True)],
                ["commercial_partner_id"],
            )
        return {
            "res_model": "account.move",
            "views": [
                (self.env.ref("account.view_out_invoice_tree").id, "list"),
                (False, "pivot"),
                (False, "graph"),
                (self.env.ref("account.view_move_form").id, "form"),
            ],
            "domain": self._company_domain()
            + [
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
                ("invoice_date_due", "<", self._today()),
                (
                    "commercial_partner_id.service_contract_ids",
                    "any",
                    [
                        ("company_id", "=", self.company_id.id),
                        ("state", "in", ("running", "closed")),
                    ],
                ),
            ],
            "context": {
                "group_by": ["commercial_partner_id"],
                "pivot_row_groupby": ["commercial_partner_id"],
                "graph_groupbys": ["invoice_date_due:month"],
            },
        }
