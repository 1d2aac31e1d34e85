from odoo import api, models


class ServiceContract(models.Model):
    """The visit alerts' scheduled action; the Alerts list itself is
    report/service_contract_alert.py."""

    _inherit = "service.contract"

    @api.model
    def _get_visit_alert_domains(self, today):
        """{level: domain} of the visits due an alert on ``today``: 'plan'
        when the window of a preventive visit is open (a corrective visit has
        its own activity, from the breakdown), 'late' once it has passed."""
        return {
            "plan": [
                ("kind", "=", "preventive"),
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
