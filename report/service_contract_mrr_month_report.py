from odoo import fields, models
from odoo.tools import SQL

from .service_contract_mrr_report import ServiceContractMrrReport
from .sql_report import merge_depends


class ServiceContractMrrMonthReport(models.Model):
    """Monthly recurring revenue, month by month: one line per contract and
    month, from the month of its start to the month it ends (or the
    company's current month, or its last movement), months without any
    change included.

    ``mrr`` is the level: the MRR in force at the end of the month (the sum
    of the movements up to then), so that the lines of a month add up to
    the MRR of the month; ``mrr_new``, ``mrr_revised`` and
    ``mrr_terminated`` are the movements of the month, ``mrr_change``
    their sum. Built on the movement report (``service.contract.mrr.report``);
    amounts in the company's currency.
    """

    _name = "service.contract.mrr.month.report"
    _inherit = "service.sql.report"
    _description = "Recurring Revenue by Month"
    _auto = False
    _rec_name = "date"
    _order = "date desc, contract_id"

    date = fields.Date(string="Month", readonly=True)
    contract_id = fields.Many2one("service.contract", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    template_id = fields.Many2one("service.contract.template", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    mrr = fields.Monetary(
        string="MRR",
        readonly=True,
        help="Monthly recurring revenue in force at the end of the month.",
    )
    arr = fields.Monetary(
        string="ARR",
        readonly=True,
        help="Annual recurring revenue at the end of the month: 12 x MRR.",
    )
    mrr_new = fields.Monetary(
        string="New MRR", readonly=True, help="MRR of the contracts started."
    )
    mrr_revised = fields.Monetary(
        string="Price Revisions",
        readonly=True,
        help="What the price revisions of the month add to the MRR.",
    )
    mrr_terminated = fields.Monetary(
        string="Lost MRR",
        readonly=True,
        help="MRR of the contracts ended (negative).",
    )
    mrr_change = fields.Monetary(
        string="Net Change", readonly=True, help="The movements of the month."
    )

    _depends = merge_depends(
        ServiceContractMrrReport._depends, {"res.company": ["partner_id"]}
    )

    @property
    def _table_query(self):
        movement = self.env["service.contract.mrr.report"]
        companies = (
            self.env["res.company"].sudo().with_context(active_test=False).search([])
        )
        in_month = SQL("date_trunc('month', event.date)::date = month.date")
        return SQL(
            """
            WITH event AS (%(event)s),
            company_day(company_id, today) AS (%(company_day)s),
            span AS (
                SELECT event.contract_id,
                    date_trunc('month', MIN(event.date))::date AS first_month,
                    date_trunc('month', COALESCE(
                        MAX(event.date) FILTER (WHERE event.movement = 'terminated'),
                        GREATEST(MAX(event.date), MAX(company_day.today))
                    ))::date AS last_month
                FROM event
                JOIN company_day ON company_day.company_id = event.company_id
                GROUP BY event.contract_id
            ),
            month AS (
                SELECT span.contract_id, generate_series(
                    span.first_month, span.last_month, interval '1 month'
                )::date AS date
                FROM span
            )
            SELECT
                ROW_NUMBER() OVER (
                    ORDER BY month.contract_id, month.date
                )::integer AS id,
                month.date,
                month.contract_id,
                event.partner_id,
                event.template_id,
                event.company_id,
                event.currency_id,
                SUM(event.mrr_change) AS mrr,
                12 * SUM(event.mrr_change) AS arr,
                COALESCE(SUM(event.mrr_change) FILTER (
                    WHERE event.movement = 'new' AND %(in_month)s), 0) AS mrr_new,
                COALESCE(SUM(event.mrr_change) FILTER (
                    WHERE event.movement = 'revised' AND %(in_month)s), 0)
                    AS mrr_revised,
                COALESCE(SUM(event.mrr_change) FILTER (
                    WHERE event.movement = 'terminated' AND %(in_month)s), 0)
                    AS mrr_terminated,
                COALESCE(SUM(event.mrr_change) FILTER (WHERE %(in_month)s), 0)
                    AS mrr_change
            FROM month
            JOIN event ON event.contract_id = month.contract_id
                AND event.date < (month.date + interval '1 month')::date
            GROUP BY month.contract_id, month.date, event.partner_id,
                event.template_id, event.company_id, event.currency_id
            """,
            event=movement._table_query,
            company_day=self._company_day(companies),
            in_month=in_month,
        )
