from odoo import api, fields, models
from odoo.tools import SQL

from ..models.date_utils import FREQUENCY_MONTHS


def _frequency_months_sql(frequency):
    """SQL of the months of an invoicing period (FREQUENCY_MONTHS)."""
    return SQL(
        "CASE %s %s ELSE 12 END",
        frequency,
        SQL(" ").join(
            SQL("WHEN %s THEN %s", name, months)
            for name, months in FREQUENCY_MONTHS.items()
        ),
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
    _inherit = "service.sql.report"
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
        "service.contract.renewal": ["contract_id", "date_start"],
        "res.company": ["currency_id"],
    }

    @property
    def _table_query(self):
        return SQL(
            """
            WITH contract AS NOT MATERIALIZED (%(contract)s),
            revision AS NOT MATERIALIZED (%(revision)s),
            event AS (
                %(new)s
                UNION ALL %(renewed)s
                UNION ALL %(revised)s
                UNION ALL %(terminated)s
            )
            SELECT
                event.id, event.date, event.movement, event.mrr, event.mrr_change,
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
            new=self._select_new(),
            renewed=self._select_renewed(),
            revised=self._select_revised(),
            terminated=self._select_terminated(),
        )

    # Each line's id: the id of the row it comes from, times the number of
    # kinds of rows, plus the kind (0: new, 1: renewed, 2: revised, 3:
    # terminated), so that it is unique and stable.
    _ID_KINDS = 4

    @api.model
    def _line_id(self, row_id, kind):
        return SQL("%s * %s + %s", row_id, self._ID_KINDS, kind)

    @api.model
    def _query_contract(self):
        """Signed contracts, their MRR, the rate from their currency to the
        company's and their last day of service, once known."""
        months = _frequency_months_sql(SQL("c.invoicing_frequency"))
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
                "SELECT NULL::integer AS id, NULL::integer AS contract_id, "
                "NULL::date AS date, "
                "0::numeric AS mrr, 0::numeric AS change WHERE FALSE"
            )
        revision = self.env["service.contract.revision"]
        return SQL(
            """
            SELECT r.id, r.contract_id, r.date,
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

    # The MRR of a contract on a day is its MRR now less the price revisions
    # dated after that day: each line joins the revisions it must take off
    # and groups by itself (a join, which PostgreSQL estimates, rather than
    # a subquery run once per line).
    _MRR_ON = SQL("contract.amount_monthly - COALESCE(SUM(revision.change), 0)")

    @api.model
    def _join_revisions_after(self, day, strict=True):
        """Join of the contract's revisions dated after ``day``
        (``strict``) or from that day on."""
        return SQL(
            """LEFT JOIN revision ON revision.contract_id = contract.id
                AND revision.date %(operator)s %(day)s""",
            operator=SQL(">" if strict else ">="),
            day=day,
        )

    @api.model
    def _select_new(self):
        start = SQL("contract.date_start")
        return SQL(
            """SELECT %(id)s AS id, contract.id AS contract_id, %(start)s AS date,
                'new' AS movement, %(mrr)s AS mrr, %(mrr)s AS mrr_change
            FROM contract %(revisions)s
            GROUP BY contract.id, %(start)s, contract.amount_monthly""",
            id=self._line_id(SQL("contract.id"), 0),
            start=start,
            mrr=self._MRR_ON,
            revisions=self._join_revisions_after(start, strict=False),
        )

    @api.model
    def _select_renewed(self):
        """One line on the first day of each renewed term served."""
        start = SQL("renewal.date_start")
        return SQL(
            """SELECT %(id)s, contract.id, %(start)s, 'renewed', %(mrr)s, 0
            FROM service_contract_renewal renewal
            JOIN contract ON contract.id = renewal.contract_id
            %(revisions)s
            WHERE contract.date_last IS NULL OR %(start)s <= contract.date_last
            GROUP BY renewal.id, contract.id, %(start)s, contract.amount_monthly
            """,
            id=self._line_id(SQL("renewal.id"), 1),
            start=start,
            mrr=self._MRR_ON,
            revisions=self._join_revisions_after(start),
        )

    @api.model
    def _select_revised(self):
        return SQL(
            """SELECT %(id)s, revision.contract_id, revision.date, 'revised',
                revision.mrr, revision.change
            FROM revision""",
            id=self._line_id(SQL("revision.id"), 2),
        )

    @api.model
    def _select_terminated(self):
        last = SQL("contract.date_last")
        return SQL(
            """SELECT %(id)s, contract.id, %(last)s + 1, 'terminated', %(mrr)s,
                -(%(mrr)s)
            FROM contract %(revisions)s
            WHERE %(last)s IS NOT NULL
            GROUP BY contract.id, %(last)s, contract.amount_monthly""",
            id=self._line_id(SQL("contract.id"), 3),
            last=last,
            mrr=self._MRR_ON,
            revisions=self._join_revisions_after(last),
        )
