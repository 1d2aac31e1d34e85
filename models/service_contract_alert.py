from odoo import api, fields, models, tools
from odoo.tools import SQL

from .service_intervention_certificate import CERTIFICATE_DELAY_DAYS

ALERT_KINDS = [
    ("visit_to_plan", "Visit to plan"),
    ("visit_late", "Late visit"),
    ("notice_deadline", "Notice deadline near"),
    ("express_renewal", "Express renewal due"),
    ("overdue_invoice", "Overdue invoice"),
    ("at_risk", "Contract at risk"),
    ("revision_blocked", "Price revision blocked"),
    ("response_deadline", "Breakdown response deadline"),
    ("certificate_late", "Maintenance certificate late"),
]


class ServiceContractAlert(models.Model):
    """The list a planner opens every morning: what needs doing today.

    A read-only view over interventions, contracts and invoices, so it is
    always up to date and costs nothing to maintain.
    """

    _name = "service.contract.alert"
    _description = "Service Contract Alert"
    _auto = False
    _order = "date, id"

    kind = fields.Selection(ALERT_KINDS, readonly=True)
    date = fields.Date(readonly=True)
    contract_id = fields.Many2one("service.contract", readonly=True)
    intervention_id = fields.Many2one("service.intervention", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    user_id = fields.Many2one("res.users", string="Responsible", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    action = fields.Char(string="To Do", compute="_compute_action")

    @api.depends("kind", "contract_id.revision_blocked_reason")
    def _compute_action(self):
        actions = {
            "visit_to_plan": self.env._("Plan the visit with a technician"),
            "visit_late": self.env._("Do the visit: it is past its window"),
            "notice_deadline": self.env._(
                "Check with the customer before the notice deadline"
            ),
            "express_renewal": self.env._("Renew the contract before its end"),
            "overdue_invoice": self.env._("Follow up the unpaid invoice"),
            "at_risk": self.env._(
                "Read the health reasons on the contract and call the customer"
            ),
            "response_deadline": self.env._(
                "Send a technician to the breakdown before its response deadline"
            ),
            "certificate_late": self.env._(
                "Send the maintenance certificate: the law gives %(days)s days "
                "after the visit",
                days=CERTIFICATE_DELAY_DAYS,
            ),
        }
        for alert in self:
            if alert.kind == "revision_blocked":
                alert.action = self.env._(
                    "Enter the missing index value in Configuration > Price "
                    "Indices (%(reason)s): the prices are revised on the next "
                    "run, from the revision date",
                    reason=alert.contract_id.revision_blocked_reason or "",
                )
            else:
                alert.action = actions.get(alert.kind, "")

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
                CREATE VIEW %(table)s AS (
                    -- Today in each company's time zone (its contact's, else
                    -- UTC), as the scheduled actions see it.
                    WITH company_day AS (
                        SELECT rc.id AS company_id,
                               (now() AT TIME ZONE
                                COALESCE(NULLIF(p.tz, ''), 'UTC'))::date AS today
                          FROM res_company rc
                          JOIN res_partner p ON p.id = rc.partner_id
                    )
                    SELECT i.id * 10 + 1 AS id, 'visit_to_plan' AS kind,
                           i.date_due AS date, i.contract_id, i.id AS intervention_id,
                           i.partner_id, COALESCE(i.user_id, c.user_id) AS user_id,
                           i.company_id
                      FROM service_intervention i
                      JOIN service_contract c ON c.id = i.contract_id
                      JOIN company_day d ON d.company_id = c.company_id
                     WHERE i.state = 'to_plan'
                       AND i.date_window_start <= d.today + 14
                       AND i.date_window_end >= d.today
                    UNION ALL
                    SELECT i.id * 10 + 2, 'visit_late', i.date_window_end,
                           i.contract_id, i.id, i.partner_id,
                           COALESCE(i.user_id, c.user_id), i.company_id
                      FROM service_intervention i
                      JOIN service_contract c ON c.id = i.contract_id
                      JOIN company_day d ON d.company_id = c.company_id
                     WHERE i.state IN ('to_plan', 'planned')
                       AND i.date_window_end < d.today
                    UNION ALL
                    SELECT c.id * 10 + 3, 'notice_deadline', c.notice_deadline,
                           c.id, NULL, c.partner_id, c.user_id, c.company_id
                      FROM service_contract c
                      JOIN company_day d ON d.company_id = c.company_id
                     WHERE c.state = 'running' AND c.renewal_type != 'none'
                       AND c.notice_date IS NULL AND c.date_termination IS NULL
                       AND c.notice_deadline BETWEEN d.today AND d.today + 60
                    UNION ALL
                    SELECT c.id * 10 + 4, 'express_renewal', c.date_end,
                           c.id, NULL, c.partner_id, c.user_id, c.company_id
                      FROM service_contract c
                      JOIN company_day d ON d.company_id = c.company_id
                     WHERE c.state = 'running' AND c.renewal_type = 'express'
                       AND c.notice_date IS NULL AND c.date_termination IS NULL
                       AND c.date_end BETWEEN d.today AND d.today + 60
                       AND (c.renewal_count = 0 OR c.date_term_start <= d.today)
                    UNION ALL
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
                    UNION ALL
                    SELECT c.id * 10 + 6, 'at_risk', c.health_date,
                           c.id, NULL, c.partner_id, c.user_id, c.company_id
                      FROM service_contract c
                     WHERE c.state = 'running' AND c.health = 'at_risk'
                    UNION ALL
                    SELECT c.id * 10 + 7, 'revision_blocked', c.revision_date,
                           c.id, NULL, c.partner_id, c.user_id, c.company_id
                      FROM service_contract c
                     WHERE c.state = 'running' AND c.revision_blocked
                    UNION ALL
                    -- Unanswered breakdowns whose response deadline is near
                    -- (the company's share of the time elapsed, or its hours
                    -- left) or passed, as in _is_response_deadline_near().
                    SELECT i.id * 10 + 9, 'response_deadline',
                           (i.date_response_deadline AT TIME ZONE 'UTC' AT TIME ZONE
                            COALESCE(NULLIF(p.tz, ''), 'UTC'))::date,
                           i.contract_id, i.id, i.partner_id,
                           COALESCE(i.user_id, c.user_id), i.company_id
                      FROM service_intervention i
                      JOIN service_contract c ON c.id = i.contract_id
                      JOIN res_company rc ON rc.id = i.company_id
                      JOIN res_partner p ON p.id = rc.partner_id
                     WHERE i.state IN ('to_plan', 'planned')
                       AND i.date_responded IS NULL
                       AND i.date_response_deadline IS NOT NULL
                       AND i.date_reported IS NOT NULL
                       AND ((now() AT TIME ZONE 'UTC') >= i.date_reported
                             + (i.date_response_deadline - i.date_reported)
                             * (COALESCE(NULLIF(
                                 rc.service_response_warning_percent, 0), 100)
                                / 100.0)
                            OR (now() AT TIME ZONE 'UTC')
                               >= i.date_response_deadline - make_interval(
                                   secs => COALESCE(
                                       rc.service_response_warning_hours, 0)
                                   * 3600))
                    UNION ALL
                    -- Boiler certificates not sent within the legal delay
                    -- after the visit (CERTIFICATE_DELAY_DAYS).
                    SELECT i.id * 10 + 8, 'certificate_late',
                           i.date_done::date + %(certificate_delay)s,
                           i.contract_id, i.id,
                           i.partner_id, COALESCE(c.user_id, i.user_id),
                           i.company_id
                      FROM service_intervention i
                      JOIN service_contract c ON c.id = i.contract_id
                      JOIN company_day d ON d.company_id = c.company_id
                     WHERE i.state = 'done' AND i.certificate_required
                       AND i.certificate_sent_date IS NULL
                       AND i.date_done < d.today - %(certificate_delay)s
                )
                """,
                table=SQL.identifier(self._table),
                certificate_delay=CERTIFICATE_DELAY_DAYS,
            )
        )

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


class ServiceContract(models.Model):
    _inherit = "service.contract"

    @api.model
    def _get_visit_alert_domains(self, today):
        """{level: domain} of the visits due an alert on ``today``: 'plan'
        when their window is open, 'late' once it has passed."""
        return {
            "plan": [
                ("state", "=", "to_plan"),
                ("date_window_start", "<=", today),
                ("date_window_end", ">=", today),
                ("alert_sent", "=", False),
            ],
            "late": [
                ("state", "in", ("to_plan", "planned")),
                ("date_window_end", "<", today),
                ("alert_sent", "!=", "late"),
            ],
        }

    @api.model
    def _cron_alerts(self, today=None):
        """Daily: one activity per visit to plan and per late visit, never
        twice (the intervention remembers which alert it got), on the day of
        each company (its time zone).

        The visits are locked with SKIP LOCKED and read again once locked:
        two workers never raise the same alert twice. A visit that fails
        leaves an activity on its contract; the others get their alerts."""
        summary = self.env._("Alerts on the visits failed")
        count = 0
        for level in ("plan", "late"):
            results = self._run_cron_batches(
                lambda day, lv=level: self._get_visit_alert_domains(day)[lv],
                lambda visits, day, lv=level: (
                    visits._schedule_alert(lv, day) or len(visits)
                ),
                summary,
                today,
                model="service.intervention",
                get_contracts=lambda i: i.contract_id,
            )
            count += sum(results)
        return count
