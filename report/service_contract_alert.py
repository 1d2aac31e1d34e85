from odoo import api, fields, models, tools
from odoo.tools import SQL

# The Alerts list shows the visits to plan whose window opens within this
# many days.
VISIT_ALERT_DAYS = 14


class ServiceContractAlert(models.Model):
    """The list a planner opens every morning: what needs doing today.

    A read-only view over interventions, contracts and invoices, so it is
    always up to date and costs nothing to maintain. It is the union of the
    parts each concern returns from ``_get_alert_queries()`` (visits here;
    renewals, invoices, health, price revision, breakdowns and certificates
    from their own files), with the label of each kind (``selection_add``)
    and what to do about it (``_get_alert_actions()``).
    """

    _name = "service.contract.alert"
    _inherit = "service.sql.report"
    _description = "Service Contract Alert"
    _auto = False
    _order = "date, id"

    kind = fields.Selection(
        [("visit_to_plan", "Visit to plan"), ("visit_late", "Late visit")],
        readonly=True,
    )
    date = fields.Date(readonly=True)
    contract_id = fields.Many2one("service.contract", readonly=True)
    intervention_id = fields.Many2one("service.intervention", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    user_id = fields.Many2one("res.users", string="Responsible", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    action = fields.Char(string="To Do", compute="_compute_action")

    @api.depends("kind")
    def _compute_action(self):
        actions = self._get_alert_actions()
        for alert in self:
            alert.action = actions.get(alert.kind, "")

    def _get_alert_actions(self):
        """{kind: what to do about it}; each concern adds its kinds'."""
        return {
            "visit_to_plan": self.env._("Plan the visit with a technician"),
            "visit_late": self.env._("Do the visit: it is past its window"),
        }

    def _get_alert_queries(self):
        """The parts of the view, one SQL query per kind, each selecting
        (id, kind, date, contract_id, intervention_id, partner_id, user_id,
        company_id) in that order; ``company_day`` (company_id, today) gives
        each company's day. The id is the record's id * 10 + a digit of its
        own per kind. Each concern adds its parts from its own file."""
        return [
            SQL(
                """
            SELECT i.id * 10 + 1 AS id, 'visit_to_plan' AS kind,
                   i.date_due AS date, i.contract_id, i.id AS intervention_id,
                   i.partner_id, COALESCE(i.user_id, c.user_id) AS user_id,
                   i.company_id
              FROM service_intervention i
              JOIN service_contract c ON c.id = i.contract_id
              JOIN company_day d ON d.company_id = c.company_id
             WHERE i.state = 'to_plan'
               AND i.date_window_start <= d.today + %s
               AND i.date_window_end >= d.today
                """,
                VISIT_ALERT_DAYS,
            ),
            SQL(
                """
            SELECT i.id * 10 + 2, 'visit_late', i.date_window_end,
                   i.contract_id, i.id, i.partner_id,
                   COALESCE(i.user_id, c.user_id), i.company_id
              FROM service_intervention i
              JOIN service_contract c ON c.id = i.contract_id
              JOIN company_day d ON d.company_id = c.company_id
             WHERE i.state IN ('to_plan', 'planned')
               AND i.date_window_end < d.today
                """
            ),
        ]

    @property
    def _table_query(self):
        """The rows, read at each search (no view in the database: the
        parts come from files that may define their tables later)."""
        return SQL(
            """
            WITH company_day(company_id, today) AS (%(company_day)s)
            SELECT * FROM (%(parts)s) AS alert(
                id, kind, date, contract_id, intervention_id,
                partner_id, user_id, company_id
            )
            """,
            # Today in each company (res.company._service_today()), as the
            # scheduled actions see it.
            company_day=self._company_day(
                self.env["res.company"]
                .sudo()
                .with_context(active_test=False)
                .search([])
            ),
            parts=SQL(" UNION ALL ").join(self._get_alert_queries()),
        )

    def init(self):
        # Up to 18.0.1.0.0 the alerts were a view.
        tools.drop_view_if_exists(self.env.cr, self._table)

    def action_open(self):
        """Open the visit or the contract the alert is about."""
        self.ensure_one()
        record = self.intervention_id or self.contract_id
        return {
            "type": "ir.actions.act_window",
            "res_model": record._name,
            "res_id": record.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }
