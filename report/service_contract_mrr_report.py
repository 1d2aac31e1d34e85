from odoo import api, fields, models
from odoo.tools import SQL

# Months of an invoicing period, as in models/date_utils.FREQUENCY_MONTHS.
FREQUENCY_MONTHS_SQL = """CASE %s
    WHEN 'month' THEN 1 WHEN 'quarter' THEN 3 WHEN 'semester' THEN 6 ELSE 12
END"""


def _anniversary_sql(day, count, unit):
    """SQL of models/date_utils.anniversary(day, count, unit): ``count``
    months or years later; where that day does not exist in the month,
    the 1st of the next month (PostgreSQL clamps to the last day, so one
    day more)."""
    shifted = SQL(
        "(%s + make_interval(months => %s * CASE %s WHEN 'year' THEN 12 ELSE 1 END))"
        "::date",
        day,
        count,
        unit,
    )
    return SQL(
        "CASE WHEN EXTRACT(DAY FROM %(shifted)s) < EXTRACT(DAY FROM %(day)s) "
        "THEN %(shifted)s + 1 ELSE %(shifted)s END",
        shifted=shifted,
        day=day,
    )


class ServiceContractMrrReport(models.Model):
    """Monthly recurring revenue movement: one line per contract event.

    ``mrr_change`` adds up to the MRR in force: the sum of the lines dated
    up to a day is the MRR of that day. ``new`` on the start date (the MRR
    before any price revision), ``renewed`` on the first day of each renewed
    term (the MRR renewed, no change), ``revised`` on each price revision
    date (the difference), ``terminated`` the day after the last day of
    service (minus the MRR lost). Amounts in the company's currency.
    """

    _name = "service.contract.mrr.report"
    _description = "Recurring Revenue Movement"
    _auto = False
    _rec_name = "date"
    _order = "date desc, contract_id"

    date = fields.Date(readonly=True)
    contract_id = fields.Many2one("service.contract", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    template_id = fields.Many2one("service.contract.template", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    movement = fields.Selection(
        [
            ("new", "New"),
            ("renewed", "Renewed"),
            ("revised", "Price Revision"),
            ("terminated", "Terminated"),
        ],
        readonly=True,
    )
    mrr = fields.Monetary(
        string="MRR",
        readonly=True,
        help="Monthly recurring revenue concerned: new, renewed, after the "
        "revision, or lost.",
    )
    mrr_change = fields.Monetary(
        string="MRR Change",
        readonly=True,
        help="What the movement adds to (or removes from) the MRR in force.",
    )

    _depends = {
        "service.contract": [
            "state",
            "company_id",
            "partner_id",
            "template_id",
            "currency_id",
            "amount_untaxed",
            "amount_monthly",
            "invoicing_frequency",
            "date_start",
            "duration",
            "duration_unit",
            "renewal_duration",
            "renewal_unit",
            "renewal_count",
            "date_effective_end",
            "date_closed",
        ],
        "res.company": ["currency_id"],
    }

    @property
    def _table_query(self):
        return SQL(
            """
            WITH RECURSIVE contract AS (%(contract)s),
            revision AS (%(revision)s),
            renewal(contract_id, number, date) AS (%(renewal)s),
            event AS (
                %(new)s
                UNION ALL %(renewed)s
                UNION ALL %(revised)s
                UNION ALL %(terminated)s
            )
            SELECT
                ROW_NUMBER() OVER (ORDER BY event.date, event.contract_id,
                    event.movement) AS id,
                event.date, event.movement, event.mrr, event.mrr_change,
                contract.id AS contract_id,
                contract.partner_id,
                contract.template_id,
                contract.company_id,
                contract.company_currency_id AS currency_id
            FROM event
            JOIN contract ON contract.id = event.contract_id
            """,
            contract=self._query_contract(),
            revision=self._query_revision(),
            renewal=self._query_renewal(),
            new=self._select_new(),
            renewed=self._select_renewed(),
            revised=self._select_revised(),
            terminated=self._select_terminated(),
        )

    @api.model
    def _query_contract(self):
        """Signed contracts, their MRR, the rate from their currency to the
        company's and their last day of service, once known."""
        months = SQL(FREQUENCY_MONTHS_SQL, SQL("c.invoicing_frequency"))
        return SQL(
            """
            SELECT c.id, c.partner_id, c.template_id, c.company_id,
                company.currency_id AS company_currency_id,
                c.date_start, c.duration, c.duration_unit,
                c.renewal_duration, c.renewal_unit, c.renewal_count,
                COALESCE(c.amount_monthly, 0) AS amount_monthly,
                CASE
                    WHEN c.currency_id = company.currency_id
                        OR COALESCE(c.amount_untaxed, 0) = 0 THEN 1
                    ELSE c.amount_monthly * %(months)s / c.amount_untaxed
                END AS rate,
                CASE WHEN c.state = 'closed'
                    THEN COALESCE(c.date_effective_end, c.date_closed)
                    ELSE c.date_effective_end
                END AS date_last
            FROM service_contract c
            JOIN res_company company ON company.id = c.company_id
            WHERE c.state IN ('running', 'closed') AND c.date_start IS NOT NULL
            """,
            months=months,
        )

    @api.model
    def _query_revision(self):
        """Price revisions (yearly totals before and after), when the price
        revision feature is installed; none otherwise."""
        if "service.contract.revision" not in self.env:
            return SQL(
                "SELECT NULL::integer AS contract_id, NULL::date AS date, "
                "0::numeric AS mrr, 0::numeric AS change WHERE FALSE"
            )
        revision = self.env["service.contract.revision"]
        return SQL(
            """
            SELECT r.contract_id, r.date,
                r.amount_after / 12 * contract.rate AS mrr,
                (r.amount_after - r.amount_before) / 12 * contract.rate AS change
            FROM service_contract_revision r
            JOIN contract ON contract.id = r.contract_id
            %(flush)s
            """,
            # The revision model is optional: flushed here, not in _depends.
            flush=SQL().join(
                SQL(to_flush=revision._fields[name])
                for name in ("contract_id", "date", "amount_before", "amount_after")
            ),
        )

    @api.model
    def _query_renewal(self):
        """First day of each renewed term: the firm term, then the renewal
        terms one after the other, as the contract's renewals computed them."""
        return SQL(
            """
            SELECT contract.id, 1, %(first)s
            FROM contract WHERE contract.renewal_count > 0
            UNION ALL
            SELECT renewal.contract_id, renewal.number + 1, %(next)s
            FROM renewal JOIN contract ON contract.id = renewal.contract_id
            WHERE renewal.number < contract.renewal_count
            """,
            first=_anniversary_sql(
                SQL("contract.date_start"),
                SQL("contract.duration"),
                SQL("contract.duration_unit"),
            ),
            next=_anniversary_sql(
                SQL("renewal.date"),
                SQL("contract.renewal_duration"),
                SQL("contract.renewal_unit"),
            ),
        )

    @api.model
    def _mrr_on(self, day, strict=True):
        """SQL of a contract's MRR on ``day``: its MRR now less the price
        revisions dated after that day (``strict``) or from that day on."""
        return SQL(
            """contract.amount_monthly - COALESCE((
                SELECT SUM(revision.change) FROM revision
                WHERE revision.contract_id = contract.id
                    AND revision.date %(operator)s %(day)s), 0)""",
            operator=SQL(">" if strict else ">="),
            day=day,
        )

    @api.model
    def _select_new(self):
        start = SQL("contract.date_start")
        return SQL(
            """SELECT contract.id AS contract_id, %(start)s AS date,
                'new' AS movement, %(mrr)s AS mrr, %(mrr)s AS mrr_change
            FROM contract""",
            start=start,
            mrr=self._mrr_on(start, strict=False),
        )

    @api.model
    def _select_renewed(self):
        return SQL(
            """SELECT contract.id, renewal.date, 'renewed', %(mrr)s, 0
            FROM renewal JOIN contract ON contract.id = renewal.contract_id
            WHERE contract.date_last IS NULL OR renewal.date <= contract.date_last
            """,
            mrr=self._mrr_on(SQL("renewal.date")),
        )

    @api.model
    def _select_revised(self):
        return SQL(
            """SELECT revision.contract_id, revision.date, 'revised',
                revision.mrr, revision.change
            FROM revision"""
        )

    @api.model
    def _select_terminated(self):
        last = SQL("contract.date_last")
        return SQL(
            """SELECT contract.id, %(last)s + 1, 'terminated', %(mrr)s, -(%(mrr)s)
            FROM contract WHERE %(last)s IS NOT NULL""",
            last=last,
            mrr=self._mrr_on(last),
        )
