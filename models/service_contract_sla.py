from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

RESPONSE_TIME_HELP = (
    "Hours within which a technician answers a breakdown the customer "
    "reports (starts the visit). 0: no commitment."
)


class ServiceContractTermsMixin(models.AbstractModel):
    """The service level: how fast a breakdown is answered."""

    _inherit = "service.contract.terms.mixin"

    response_time_hours = fields.Float(string="Response Time", help=RESPONSE_TIME_HELP)
    response_business_hours = fields.Boolean(
        string="Business Hours Only",
        help="Count the response time within the company's working hours "
        "(its working schedule and public holidays) instead of around the "
        "clock.",
    )

    @api.model
    def _get_terms_fields(self):
        return [
            *super()._get_terms_fields(),
            "response_time_hours",
            "response_business_hours",
        ]

    @api.constrains("response_time_hours")
    def _check_response_time_hours(self):
        for record in self:
            if record.response_time_hours < 0:
                raise ValidationError(
                    self.env._("The response time cannot be negative.")
                )


class ServiceContractLineMixin(models.AbstractModel):
    _inherit = "service.contract.line.mixin"

    response_time_hours = fields.Float(
        string="Response Time",
        help="Response time for breakdowns of this service, in hours; 0: the "
        "contract's.",
    )

    @api.model
    def _get_copied_line_fields(self):
        return [*super()._get_copied_line_fields(), "response_time_hours"]

    @api.constrains("response_time_hours")
    def _check_line_response_time_hours(self):
        for line in self:
            if line.response_time_hours < 0:
                raise ValidationError(
                    self.env._("The response time cannot be negative.")
                )


class ServiceContract(models.Model):
    _inherit = "service.contract"

    response_time_hours = fields.Float(
        compute="_compute_terms", store=True, readonly=False, precompute=True
    )
    response_business_hours = fields.Boolean(
        compute="_compute_terms", store=True, readonly=False, precompute=True
    )
    response_breach_count = fields.Integer(
        string="Response Breaches",
        compute="_compute_response_breach_count",
        help="Breakdowns answered after the response deadline, or not answered "
        "by then; each counts once.",
    )

    # Guarded fields (see service_lifecycle_guard.py): the promised response
    # time is part of the signed agreement.
    def _get_frozen_fields(self):
        return (
            *super()._get_frozen_fields(),
            "response_time_hours",
            "response_business_hours",
        )

    def _compute_response_breach_count(self):
        counts = dict(
            self.env["service.intervention"]._read_group(
                [
                    ("contract_id", "in", self.ids),
                    ("response_breached", "=", True),
                    ("state", "!=", "cancel"),
                ],
                ["contract_id"],
                ["__count"],
            )
        )
        for contract in self:
            contract.response_breach_count = counts.get(contract, 0)

    def _get_response_calendar(self):
        """The working schedule the business-hours response time counts in:
        the company's."""
        self.ensure_one()
        return self.company_id.resource_calendar_id

    @api.model
    def _find_breakdown_contract(self, partner, site=None):
        """The running contract that covers a breakdown of ``partner`` at
        ``site``: the one with the shortest response time (a commitment
        first), then the oldest. Empty if none."""
        domain = [
            ("state", "=", "running"),
            ("commercial_partner_id", "=", partner.commercial_partner_id.id),
        ]
        if site:
            domain.append(("site_ids", "in", site.ids))
        contracts = self.search(domain, order="id")
        return contracts.sorted(
            lambda c: (not c.response_time_hours, c.response_time_hours, c.id)
        )[:1]

    def action_report_breakdown(self):
        """Open the breakdown wizard on this contract."""
        self.ensure_one()
        if self.state != "running":
            raise UserError(
                self.env._(
                    "Breakdowns are reported on running contracts only: %(name)s.",
                    name=self.name,
                )
            )
        return self.env["service.breakdown.report"]._action_open(
            {
                "default_partner_id": self.commercial_partner_id.id,
                "default_contract_id": self.id,
                "default_site_id": self.site_ids[:1].id
                if len(self.site_ids) == 1
                else False,
            }
        )

    def action_view_response_breaches(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Response Breaches"),
            "res_model": "service.intervention",
            "view_mode": "list,form",
            "domain": [
                ("contract_id", "=", self.id),
                ("response_breached", "=", True),
                ("state", "!=", "cancel"),
            ],
        }

    # ------------------------------------------------------------------
    # Scheduled action: response deadlines
    # ------------------------------------------------------------------

    @api.model
    def _get_response_alert_domains(self, now):
        """{level: domain} of the unanswered breakdowns due an alert."""
        unanswered = [
            ("state", "in", ("to_plan", "planned")),
            ("date_responded", "=", False),
            ("date_response_deadline", "!=", False),
        ]
        return {
            "breached": unanswered
            + [
                ("date_response_deadline", "<", now),
                ("response_alert_sent", "!=", "breached"),
            ],
            "near": unanswered
            + [
                ("date_response_deadline", ">=", now),
                ("response_alert_sent", "=", False),
            ],
        }

    @api.model
    def _cron_response_deadlines(self, now=None):
        """Hourly: one activity when the response deadline of a breakdown is
        near, one when it has passed (the breach is then recorded, once).

        The interventions are locked with SKIP LOCKED and read again once
        locked, so two workers never raise the same alert twice; one that
        fails gets an activity on its contract, the others their alerts.
        """
        now = now or fields.Datetime.now()
        summary = self.env._("Alerts on the response deadlines failed")

        def near(interventions, moment):
            return interventions.filtered(
                lambda i: i._is_response_deadline_near(moment)
            )

        count = 0
        for level, domain in self._get_response_alert_domains(now).items():
            results = self._run_cron_batches(
                lambda _moment, d=domain: d,
                lambda interventions, _moment, lv=level: (
                    interventions._raise_response_alert(lv)
                ),
                summary,
                now,
                model="service.intervention",
                get_contracts=lambda i: i.contract_id,
                post_filter=near if level == "near" else None,
            )
            count += sum(results)
        return count


class ResCompany(models.Model):
    _inherit = "res.company"

    service_response_warning_percent = fields.Integer(
        string="Response Warning (%)",
        default=75,
        help="Warn when this share of a breakdown's response time has elapsed.",
    )
    service_response_warning_hours = fields.Float(
        string="Response Warning (Hours Left)",
        default=2.0,
        help="Warn when fewer hours than this are left before a breakdown's "
        "response deadline.",
    )

    @api.constrains(
        "service_response_warning_percent", "service_response_warning_hours"
    )
    def _check_service_response_warning(self):
        for company in self:
            if not (0 <= company.service_response_warning_percent <= 100) or (
                company.service_response_warning_hours < 0
            ):
                raise ValidationError(
                    self.env._(
                        "The response warning is a share of the response time "
                        "between 0 and 100% and a positive number of hours."
                    )
                )


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    service_response_warning_percent = fields.Integer(
        related="company_id.service_response_warning_percent", readonly=False
    )
    service_response_warning_hours = fields.Float(
        related="company_id.service_response_warning_hours", readonly=False
    )
