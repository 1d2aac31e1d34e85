from odoo import api, fields, models
from odoo.tools import SQL


class ServiceContractProfitabilityReport(models.Model):
    """What each contract earns and costs, line by line, in the company's
    currency: the untaxed lines of its posted invoices and credit notes
    (revenue), and its done interventions (costs by kind).

    The contract's own figures (``revenue_invoiced``, ``cost_total``,
    ``margin``) are read from here, over its current term. Readable by
    contract users: it shows amounts, never the invoices themselves.
    """

    _name = "service.contract.profitability.report"
    _inherit = "service.sql.report"
    _description = "Contract Profitability"
    _auto = False
    _rec_name = "date"
    _order = "date desc, contract_id"

    date = fields.Date(
        readonly=True,
        help="Invoice date of the revenue, completion date of the visit.",
    )
    contract_id = fields.Many2one("service.contract", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    template_id = fields.Many2one("service.contract.template", readonly=True)
    site_id = fields.Many2one("res.partner", readonly=True)
    user_id = fields.Many2one("res.users", string="Technician", readonly=True)
    intervention_id = fields.Many2one("service.intervention", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    revenue = fields.Monetary(readonly=True, help="Untaxed amount invoiced.")
    cost_labour = fields.Monetary(string="Labour Cost", readonly=True)
    cost_material = fields.Monetary(string="Parts Cost", readonly=True)
    cost_travel = fields.Monetary(string="Travel Cost", readonly=True)
    cost_total = fields.Monetary(string="Total Cost", readonly=True)
    margin = fields.Monetary(readonly=True, help="Revenue minus costs.")
    response_breaches = fields.Integer(
        readonly=True,
        help="Breakdowns answered after their response deadline, or not "
        "answered by then: each counts once.",
    )

    _depends = {
        "account.move": ["move_type"],
        "account.move.line": [
            "balance",
            "date",
            "display_type",
            "move_id",
            "parent_state",
            "service_contract_id",
        ],
        "service.intervention": [
            "contract_id",
            "site_id",
            "user_id",
            "state",
            "date_done",
            "cost_labour",
            "cost_material",
            "cost_travel",
            "cost_total",
            "response_breached",
            "date_response_deadline",
        ],
        "service.contract": ["partner_id", "template_id", "company_id"],
        "res.company": ["currency_id", "partner_id"],
        "res.partner": ["tz"],
    }

    @property
    def _table_query(self):
        return SQL("%s UNION ALL %s", self._select_revenue(), self._select_cost())

    @api.model
    def _select_revenue(self):
        """Revenue: the product lines of posted customer invoices (minus
        credit notes) that carry the contract. ``balance`` is in the
        company's currency, converted at the invoice date's rate."""
        return SQL(
            """
            SELECT
                line.id AS id,
                line.date AS date,
                contract.id AS contract_id,
                contract.partner_id AS partner_id,
                contract.template_id AS template_id,
                NULL::integer AS site_id,
                NULL::integer AS user_id,
                NULL::integer AS intervention_id,
                contract.company_id AS company_id,
                company.currency_id AS currency_id,
                -line.balance AS revenue,
                0.0 AS cost_labour,
                0.0 AS cost_material,
                0.0 AS cost_travel,
                0.0 AS cost_total,
                -line.balance AS margin,
                0 AS response_breaches
            FROM account_move_line line
            JOIN account_move move ON move.id = line.move_id
            JOIN service_contract contract ON contract.id = line.service_contract_id
            JOIN res_company company ON company.id = contract.company_id
            WHERE line.parent_state = 'posted'
                AND line.display_type = 'product'
                AND move.move_type IN ('out_invoice', 'out_refund')
            """
        )

    @api.model
    def _select_cost(self):
        """Costs: the done interventions, on the day they were completed in
        the company's time zone. Negative ids: they never meet the
        invoice lines' ones. Breakdowns whose response time was breached
        count once each (``response_breaches``), done or not yet: those not
        done, on their response deadline's day, without costs."""
        return SQL(
            """
            SELECT
                -intervention.id AS id,
                %(date)s AS date,
                contract.id AS contract_id,
                contract.partner_id AS partner_id,
                contract.template_id AS template_id,
                intervention.site_id AS site_id,
                intervention.user_id AS user_id,
                intervention.id AS intervention_id,
                contract.company_id AS company_id,
                company.currency_id AS currency_id,
                0.0 AS revenue,
                %(done)s * COALESCE(intervention.cost_labour, 0) AS cost_labour,
                %(done)s * COALESCE(intervention.cost_material, 0) AS cost_material,
                %(done)s * COALESCE(intervention.cost_travel, 0) AS cost_travel,
                %(done)s * COALESCE(intervention.cost_total, 0) AS cost_total,
                -%(done)s * COALESCE(intervention.cost_total, 0) AS margin,
                CASE WHEN intervention.response_breached THEN 1 ELSE 0 END
                    AS response_breaches
            FROM service_intervention intervention
            JOIN service_contract contract ON contract.id = intervention.contract_id
            JOIN res_company company ON company.id = contract.company_id
            JOIN res_partner company_partner ON company_partner.id = company.partner_id
            WHERE (intervention.state = 'done' AND intervention.date_done IS NOT NULL)
                OR (intervention.response_breached AND intervention.state != 'cancel')
            """,
            date=self.env["res.company"]._service_date_sql(
                SQL(
                    "COALESCE(intervention.date_done, "
                    "intervention.date_response_deadline)"
                ),
                "company_partner",
            ),
            done=SQL(
                "(CASE WHEN intervention.state = 'done' "
                "AND intervention.date_done IS NOT NULL THEN 1 ELSE 0 END)"
            ),
        )
