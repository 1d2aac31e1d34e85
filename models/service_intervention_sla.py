import base64
from datetime import timedelta

from odoo import Command, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL, format_datetime

from .service_lifecycle_guard import lifecycle_action

# Written only by the visit's actions and the response cron.
SLA_ACTION_FIELDS = ("date_responded", "response_breached", "response_alert_sent")
RESPONSE_STATES = [
    ("none", "No Commitment"),
    ("pending", "Within Deadline"),
    ("near", "Deadline Near"),
    ("met", "Answered in Time"),
    ("breached", "Breached"),
]


class ServiceIntervention(models.Model):
    """The response time of a breakdown: reported at ``date_reported``, to
    be answered (a technician starts the visit) by ``date_response_deadline``,
    set from the contract's service level (or its service line's)."""

    _inherit = "service.intervention"

    date_reported = fields.Datetime(
        string="Reported On",
        copy=False,
        tracking=True,
        help="When the customer reported the breakdown: the response time "
        "counts from here.",
    )
    service_line_id = fields.Many2one(
        "service.contract.line",
        string="Service",
        domain="[('contract_id', '=', contract_id)]",
        check_company=True,
        help="The service of the contract the breakdown falls under: its "
        "response time, if set, replaces the contract's.",
    )
    response_time_hours = fields.Float(
        string="Response Time",
        compute="_compute_date_response_deadline",
        store=True,
        help="Hours promised to answer this breakdown (service line, else "
        "contract).",
    )
    date_response_deadline = fields.Datetime(
        string="Response Deadline",
        compute="_compute_date_response_deadline",
        store=True,
        index="btree_not_null",
        help="A technician must start the visit by then.",
    )
    date_responded = fields.Datetime(
        string="Answered On",
        copy=False,
        readonly=True,
        help="When the technician started the visit (or it was done).",
    )
    response_breached = fields.Boolean(
        string="Response Time Breached",
        compute="_compute_response_breached",
        store=True,
        copy=False,
        help="Answered after the deadline, or not answered by then.",
    )
    response_alert_sent = fields.Selection(
        [("near", "Deadline near"), ("breached", "Deadline breached")],
        copy=False,
        readonly=True,
        help="Last response time activity raised, so that none is raised twice.",
    )
    response_state = fields.Selection(
        RESPONSE_STATES, compute="_compute_response_state", string="Response"
    )

    @api.depends(
        "kind",
        "date_reported",
        "service_line_id.response_time_hours",
        "contract_id.response_time_hours",
        "contract_id.response_business_hours",
    )
    def _compute_date_response_deadline(self):
        for intervention in self:
            hours = (
                intervention.service_line_id.response_time_hours
                or intervention.contract_id.response_time_hours
            )
            intervention.response_time_hours = hours
            intervention.date_response_deadline = (
                intervention._get_response_deadline(hours)
                if hours and intervention.date_reported
                else False
            )

    def _get_response_deadline(self, hours):
        """``date_reported`` plus ``hours``, in business hours of the
        contract's working schedule (and its public holidays) when the
        contract says so, else around the clock."""
        self.ensure_one()
        contract = self.contract_id.sudo()
        calendar = contract.response_business_hours and (
            contract._get_response_calendar()
        )
        if calendar:
            deadline = calendar.plan_hours(
                hours, self.date_reported, compute_leaves=True
            )
            if deadline:
                return deadline
        return self.date_reported + timedelta(hours=hours)

    @api.depends("date_responded", "date_response_deadline", "response_alert_sent")
    def _compute_response_breached(self):
        for intervention in self:
            deadline = intervention.date_response_deadline
            responded = intervention.date_responded
            if not deadline:
                intervention.response_breached = False
            elif responded:
                intervention.response_breached = responded > deadline
            else:
                # Not answered yet: the response cron records the breach.
                intervention.response_breached = (
                    intervention.response_alert_sent == "breached"
                )

    @api.depends(
        "date_response_deadline", "date_responded", "response_breached", "state"
    )
    def _compute_response_state(self):
        now = fields.Datetime.now()
        for intervention in self:
            if not intervention.date_response_deadline:
                state = "none"
            elif intervention.response_breached or (
                not intervention.date_responded
                and intervention.state in ("to_plan", "planned")
                and intervention.date_response_deadline < now
            ):
                state = "breached"
            elif intervention.date_responded:
                state = "met"
            elif intervention._is_response_deadline_near(now):
                state = "near"
            else:
                state = "pending"
            intervention.response_state = state

    def _is_response_deadline_near(self, now):
        """Whether the deadline of this unanswered breakdown is near: the
        company's share of the response time has elapsed, or fewer hours
        than its warning are left (the same rule as the Alerts list)."""
        self.ensure_one()
        deadline, reported = self.date_response_deadline, self.date_reported
        if not (deadline and reported):
            return False
        company = self.company_id.sudo()
        percent = company.service_response_warning_percent or 100
        warn_at = reported + (deadline - reported) * (percent / 100.0)
        hours_left = (deadline - now).total_seconds() / 3600
        return now >= warn_at or hours_left <= company.service_response_warning_hours

    # ------------------------------------------------------------------
    # Guarded fields
    # ------------------------------------------------------------------

    def _get_lifecycle_actions(self):
        return (
            *super()._get_lifecycle_actions(),
            "_set_responded",
            "_raise_response_alert",
        )

    def _get_action_fields(self):
        return (*super()._get_action_fields(), *SLA_ACTION_FIELDS)

    def _get_frozen_fields(self):
        return (*super()._get_frozen_fields(), "date_reported", "service_line_id")

    @api.model_create_multi
    def create(self, vals_list):
        now = fields.Datetime.now()
        for vals in vals_list:
            kind = vals.get("kind") or self.env.context.get(
                "default_kind", "corrective"
            )
            if kind == "corrective" and "date_reported" not in vals:
                vals["date_reported"] = now
        return super().create(vals_list)

    # ------------------------------------------------------------------
    # Answered: the technician starts the visit, or it is done.
    # ------------------------------------------------------------------

    @lifecycle_action
    def action_start(self):
        result = super().action_start()
        self._set_responded(fields.Datetime.now())
        return result

    def _on_done(self):
        result = super()._on_done()
        for intervention in self:
            intervention._set_responded(intervention.date_done)
        return result

    @lifecycle_action
    def _set_responded(self, when):
        unanswered = self.filtered(lambda i: not i.date_responded)
        if unanswered and when:
            unanswered.write({"date_responded": when})

    # ------------------------------------------------------------------
    # Breakdown requests
    # ------------------------------------------------------------------

    @api.model
    def _report_breakdown(
        self,
        contract,
        description,
        site=None,
        equipment=None,
        service_line=None,
        attachments=None,
        reported_by=None,
        date_reported=None,
    ):
        """Record a breakdown as a corrective intervention to plan on
        ``contract``: the photos attached, a message in its chatter, an
        activity for the contract's responsible and an acknowledgment to the
        customer.

        :param attachments: [(file name, raw bytes)]
        :param reported_by: the partner who reported it (the customer's
            contact on the portal), acknowledged by email
        :return: the intervention
        """
        site = site or self.env["res.partner"]
        equipment = equipment or self.env["service.equipment"]
        self._check_breakdown(contract, site, equipment, description)
        if not site and len(equipment.site_id) == 1:
            site = equipment.site_id
        company = contract.company_id
        intervention = self.create(
            {
                "contract_id": contract.id,
                "kind": "corrective",
                "site_id": site.id,
                "equipment_ids": [Command.set(equipment.ids)],
                "service_line_id": service_line.id if service_line else False,
                "description": description.strip(),
                "date_due": company._service_today(),
                "date_reported": date_reported or fields.Datetime.now(),
            }
        )
        intervention._on_breakdown_reported(attachments or [], reported_by)
        return intervention

    @api.model
    def _check_breakdown(self, contract, site, equipment, description):
        """Refuse a breakdown the contract does not cover: another customer's
        site or equipment, equipment removed from service."""
        if not (description or "").strip():
            raise ValidationError(self.env._("Describe the breakdown."))
        if contract.state != "running":
            raise ValidationError(
                self.env._(
                    "Breakdowns are reported on running contracts only: %(name)s.",
                    name=contract.name,
                )
            )
        customer = contract.commercial_partner_id
        if site and (
            site.commercial_partner_id != customer or site not in contract.site_ids
        ):
            raise ValidationError(
                self.env._(
                    "The site %(site)s is not covered by contract %(contract)s.",
                    site=site.display_name,
                    contract=contract.name,
                )
            )
        for item in equipment:
            if (
                item.partner_id.commercial_partner_id != customer
                or item.state != "in_service"
                or (site and item.site_id and item.site_id != site)
                or (item.site_id and item.site_id not in contract.site_ids)
            ):
                raise ValidationError(
                    self.env._(
                        "The equipment %(equipment)s is not an item in service "
                        "at a site of contract %(contract)s.",
                        equipment=item.display_name,
                        contract=contract.name,
                    )
                )

    def _on_breakdown_reported(self, attachments, reported_by):
        """Hook: a breakdown was just recorded as this intervention."""
        self.ensure_one()
        files = self.env["ir.attachment"].create(
            [
                {
                    "name": name,
                    "datas": base64.b64encode(raw),
                    "res_model": self._name,
                    "res_id": self.id,
                }
                for name, raw in attachments
            ]
        )
        author = reported_by or self.env.user.partner_id
        body = self.env._(
            "Breakdown reported by %(author)s. Response deadline: %(deadline)s.",
            author=author.display_name,
            deadline=self._format_response_deadline(),
        )
        # Logged (not emailed): the customer gets the acknowledgment below.
        self._message_log(body=body, author_id=author.id, attachment_ids=files.ids)
        contract = self.contract_id
        self.activity_schedule(
            "service_contract.mail_activity_type_breakdown",
            date_deadline=(
                self.date_response_deadline.date()
                if self.date_response_deadline
                else self.date_due
            ),
            user_id=(contract.user_id or self.env.user).id,
        )
        self._send_breakdown_acknowledgment(reported_by or self.partner_id)

    def _format_response_deadline(self):
        self.ensure_one()
        if not self.date_response_deadline:
            return self.env._("none")
        # In the reader's language, at the company's clock (its working hours).
        return format_datetime(
            self.env,
            self.date_response_deadline,
            tz=self.company_id._service_tz(),
            dt_format="short",
        )

    def _send_breakdown_acknowledgment(self, partner):
        """Tell the customer the breakdown is recorded, with its reference
        and the response deadline (in the chatter, emailed)."""
        self.ensure_one()
        sender = self.company_id.email or self.env.user.email
        if not (partner.email and sender):
            return
        # Sent on behalf of the company, whoever recorded the breakdown.
        self.sudo().message_post_with_source(
            "service_contract.mail_template_breakdown_acknowledgment",
            subtype_xmlid="mail.mt_comment",
            message_type="comment",
            partner_ids=partner.ids,
            author_id=self.company_id.partner_id.id,
        )

    # ------------------------------------------------------------------
    # Response alerts (see _cron_response_deadlines)
    # ------------------------------------------------------------------

    @lifecycle_action
    def _raise_response_alert(self, level):
        """One activity per breakdown and level: 'near' before the deadline,
        'breached' once it has passed (the breach is recorded)."""
        activity_type = self.env.ref(
            "service_contract.mail_activity_type_response_near"
            if level == "near"
            else "service_contract.mail_activity_type_response_breached"
        )
        model_id = self.env["ir.model"]._get_id(self._name)
        self.env["mail.activity"].create(
            [
                {
                    "res_model_id": model_id,
                    "res_id": intervention.id,
                    "activity_type_id": activity_type.id,
                    "summary": activity_type.summary or activity_type.name,
                    "user_id": (
                        intervention.contract_id.user_id
                        or intervention.user_id
                        or self.env.user
                    ).id,
                    "date_deadline": intervention.date_response_deadline.date(),
                }
                for intervention in self
            ]
        )
        # A breach is recorded with its alert (see _compute_response_breached).
        self.write({"response_alert_sent": level})
        return len(self)


class ServiceContractAlert(models.Model):
    _inherit = "service.contract.alert"

    kind = fields.Selection(
        selection_add=[
            ("response_deadline", "Breakdown response deadline"),
        ]
    )

    def _get_alert_actions(self):
        return {
            **super()._get_alert_actions(),
            "response_deadline": self.env._(
                "Send a technician to the breakdown before its response deadline"
            ),
        }

    def _get_alert_queries(self):
        return [
            *super()._get_alert_queries(),
            SQL(
                """
                -- Unanswered breakdowns whose response deadline is near
                -- (the company's share of the time elapsed, or its hours
                -- left) or passed, as in _is_response_deadline_near().
                SELECT i.id * 10 + 9, 'response_deadline',
                       %(deadline_day)s,
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
                """,
                deadline_day=self.env["res.company"]._service_date_sql(
                    SQL("i.date_response_deadline"), "p"
                ),
            ),
        ]
