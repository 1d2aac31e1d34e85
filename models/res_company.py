from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

# Preventive visits are generated at most two years ahead.
MAX_PLANNING_HORIZON = 731
# The thresholds of the contract health rules (Settings).
HEALTH_THRESHOLDS = {
    "service_health_overdue_days",
    "service_health_late_visit_days",
    "service_health_margin_min",
}


class ResCompany(models.Model):
    _inherit = "res.company"

    service_planning_horizon = fields.Integer(
        string="Visit Planning Horizon",
        default=60,
        help="Preventive visits due within this many days are generated.",
    )
    service_health_overdue_days = fields.Integer(
        string="Overdue Invoices Beyond",
        default=30,
        help="A contract with an invoice unpaid more than this many days after "
        "its due date is at risk.",
    )
    service_health_late_visit_days = fields.Integer(
        string="Visits Late Beyond",
        default=15,
        help="A contract with a visit still not done more than this many days "
        "after the end of its window is to watch.",
    )
    service_health_margin_min = fields.Float(
        string="Minimum Margin (%)",
        default=10.0,
        help="A contract whose margin over the last 12 months (invoiced "
        "revenue minus the costs of its visits, in percent of the revenue) is "
        "below this rate is to watch.",
    )
    service_billable_mode = fields.Selection(
        [("invoice", "Invoice"), ("quotation", "Quotation")],
        string="Billable Interventions",
        default="invoice",
        required=True,
        help="What Create Invoice makes of the work a contract does not "
        "cover: a customer invoice, or a quotation to confirm first.",
    )
    service_labour_product_id = fields.Many2one(
        "product.product",
        string="Labour Product",
        domain="[('type', '=', 'service'), ('company_id', 'in', (id, False))]",
        help="Bills the time spent on corrective interventions not covered by "
        "the contract, per hour, at its sales price. Without it, the "
        "contract's service product is used.",
    )

    @api.constrains("service_planning_horizon")
    def _check_service_planning_horizon(self):
        for company in self:
            if not 0 <= company.service_planning_horizon <= MAX_PLANNING_HORIZON:
                raise ValidationError(
                    self.env._(
                        "%(company)s: the visit planning horizon must be between "
                        "0 and %(max)s days (%(value)s).",
                        company=company.name,
                        max=MAX_PLANNING_HORIZON,
                        value=company.service_planning_horizon,
                    )
                )

    @api.constrains(
        "service_health_overdue_days",
        "service_health_late_visit_days",
        "service_health_margin_min",
    )
    def _check_service_health_thresholds(self):
        for company in self:
            if (
                company.service_health_overdue_days < 0
                or company.service_health_late_visit_days < 0
            ):
                raise ValidationError(
                    self.env._(
                        "%(company)s: the days of the contract health rules "
                        "cannot be negative.",
                        company=company.name,
                    )
                )
            if not -100 <= company.service_health_margin_min <= 100:
                raise ValidationError(
                    self.env._(
                        "%(company)s: the minimum margin of the contract health "
                        "must be between -100%% and 100%% (%(value)s%%).",
                        company=company.name,
                        value=company.service_health_margin_min,
                    )
                )

    def write(self, vals):
        """New health thresholds apply at once: the daily update of the
        contracts' health runs as soon as they change, not the next night."""
        result = super().write(vals)
        if HEALTH_THRESHOLDS & set(vals):
            cron = self.env.ref(
                "service_contract.ir_cron_update_health", raise_if_not_found=False
            )
            if cron:
                cron.sudo()._trigger()
        return result

    # ------------------------------------------------------------------
    # The company's day: the date in the time zone of the company's contact,
    # else in UTC, whoever asks (a user in another time zone, or OdooBot in
    # a scheduled action). Python (_service_today) and SQL (the reports and
    # the alerts, through _service_today_sql and _service_date_sql) apply
    # this one rule.
    # ------------------------------------------------------------------

    def _service_tz(self):
        """The time zone of the company's day: its contact's, else UTC."""
        self.ensure_one()
        return self.sudo().partner_id.tz or "UTC"

    def _service_today(self):
        """Today's date for the company's contracts, in ``_service_tz()``."""
        self.ensure_one()
        return fields.Date.context_today(self.with_context(tz=self._service_tz()))

    def _service_today_sql(self):
        """SQL rows ``(company_id, today)`` of these companies, each day
        computed by ``_service_today()``, for the queries comparing dates
        with the company's today."""
        if not self:
            return SQL("SELECT NULL::integer, NULL::date WHERE FALSE")
        return SQL(
            "VALUES %s",
            SQL(", ").join(
                SQL("(%s, %s::date)", company.id, company._service_today())
                for company in self
            ),
        )

    @api.model
    def _service_date_sql(self, instant, partner):
        """SQL of the company's day of ``instant`` (an SQL timestamp in UTC,
        as Odoo stores them), ``partner`` being the alias of the company's
        contact (``res_partner``) in the query: the rule of
        ``_service_tz()``."""
        return SQL(
            "(%s AT TIME ZONE 'UTC' "
            "AT TIME ZONE COALESCE(NULLIF(%s, ''), 'UTC'))::date",
            instant,
            SQL.identifier(partner, "tz"),
        )
