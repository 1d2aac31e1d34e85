from datetime import datetime, time, timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, create_unique_index, is_html_empty

from .sequence import next_names
from .service_lifecycle_guard import lifecycle_action

# The visit's guarded fields (see service_lifecycle_guard.py), in one place.
# Written only by the visit's actions (buttons, calendar, alerts).
INTERVENTION_ACTION_FIELDS = (
    "state",
    "date_started",
    "date_done",
    "alert_sent",
    "report_document_id",
)
# Set at creation: a visit never moves to another contract or customer.
INTERVENTION_CREATE_ONLY_FIELDS = ("contract_id", "company_id", "partner_id", "plan_id")
# What was done: frozen once the visit is done or cancelled.
INTERVENTION_DONE_FIELDS = (
    "description",
    "site_id",
    "user_id",
    "date_planned_start",
    "date_planned_end",
    "date_calendar",
    "duration_actual",
    "report",
    "signature",
    "signed_by",
)
# All a technician (without the contract user's rights) writes on their own
# visits: the execution of the visit, as in the visit's form.
TECHNICIAN_FIELDS = (
    "description",
    "date_planned_start",
    "date_planned_end",
    "date_calendar",
    "duration_expected",
    "duration_actual",
    "report",
    "signature",
    "signed_by",
)


class ServiceIntervention(models.Model):
    """A visit of a technician at a customer's site: preventive (from the
    contract's visit plan) or corrective (on demand)."""

    _name = "service.intervention"
    _description = "Intervention"
    _inherit = [
        "mail.thread",
        "mail.activity.mixin",
        "service.mail.compose.mixin",
        "service.state.mixin",
        "service.lifecycle.guard",
        "service.stored.pdf.mixin",
    ]
    _order = "date_due, id"
    _check_company_auto = True

    name = fields.Char(
        string="Reference",
        required=True,
        copy=False,
        readonly=True,
        index="trigram",
        default=lambda self: self.env._("New"),
    )
    contract_id = fields.Many2one(
        "service.contract", required=True, index=True, check_company=True
    )
    company_id = fields.Many2one(
        related="contract_id.company_id", store=True, index=True, precompute=True
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        related="contract_id.partner_id",
        store=True,
        precompute=True,
        index=True,
    )
    site_id = fields.Many2one(
        "res.partner",
        domain="[('type', '=', 'site'), ('commercial_partner_id', '=', partner_id)]",
        tracking=True,
    )
    address_id = fields.Many2one(
        "res.partner",
        compute="_compute_address_id",
        help="Where the technician goes: the site, or the customer.",
    )
    site_access_instructions = fields.Text(related="site_id.site_access_instructions")
    plan_id = fields.Many2one(
        "service.visit.plan",
        string="Visit Plan",
        ondelete="set null",
        index=True,
        check_company=True,
    )
    kind = fields.Selection(
        [("preventive", "Preventive"), ("corrective", "Corrective")],
        default="corrective",
        required=True,
    )
    is_covered = fields.Boolean(
        string="Covered by the Contract",
        default=True,
        help="Corrective visits: whether the contract covers it or it is "
        "invoiced on top.",
    )
    description = fields.Text()
    date_due = fields.Date(string="Due Date", required=True, index=True, tracking=True)
    date_window_start = fields.Date(string="Window Start")
    date_window_end = fields.Date(string="Window End", index=True)
    date_planned_start = fields.Datetime(string="Planned Start", tracking=True)
    date_planned_end = fields.Datetime(string="Planned End")
    date_calendar = fields.Datetime(
        string="Calendar Date",
        compute="_compute_date_calendar",
        inverse="_inverse_date_calendar",
        store=True,
        help="Planned start, or the due date while the visit is not planned: "
        "moving it in the calendar plans the visit.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Technician",
        tracking=True,
        index=True,
        check_company=True,
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
    )
    duration_expected = fields.Float(string="Expected Duration", help="In hours.")
    duration_actual = fields.Float(string="Time Spent", help="In hours.")
    date_started = fields.Datetime(string="Started At", copy=False, readonly=True)
    state = fields.Selection(
        [
            ("to_plan", "To Plan"),
            ("planned", "Planned"),
            ("done", "Done"),
            ("cancel", "Cancelled"),
        ],
        default="to_plan",
        required=True,
        tracking=True,
        index=True,
        group_expand=True,
        copy=False,
    )
    is_late = fields.Boolean(compute="_compute_is_late", search="_search_is_late")
    report = fields.Html(string="Visit Report", copy=False)
    signature = fields.Image(
        string="Customer Signature", copy=False, max_width=1024, max_height=1024
    )
    signed_by = fields.Char(copy=False)
    report_document_id = fields.Many2one(
        "ir.attachment",
        string="Visit Report (PDF)",
        copy=False,
        readonly=True,
        help="The PDF stored when the visit was done; printing, the portal "
        "and emails serve this very file.",
    )
    date_done = fields.Datetime(string="Completed On", copy=False, readonly=True)
    alert_sent = fields.Selection(
        [("plan", "Visit to plan"), ("late", "Late visit")],
        copy=False,
        readonly=True,
        help="Last alert sent about this visit, so that none is sent twice.",
    )
    signature_required = fields.Boolean(
        string="Signature Required", related="plan_id.signature_required"
    )
    report_required = fields.Boolean(related="plan_id.report_required")

    def init(self):
        # One visit per plan line, site, item (of a visit per equipment) and
        # due date, whatever runs the generation (NULLs compare equal).
        self.env.cr.execute(
            SQL("DROP INDEX IF EXISTS service_intervention_plan_site_due_uniq")
        )
        create_unique_index(
            self.env.cr,
            "service_intervention_plan_site_equipment_due_uniq",
            self._table,
            [
                "plan_id",
                "COALESCE(site_id, 0)",
                "COALESCE(plan_equipment_id, 0)",
                "date_due",
            ],
        )

    @api.depends("site_id", "partner_id")
    def _compute_address_id(self):
        for intervention in self:
            intervention.address_id = intervention.site_id or intervention.partner_id

    @api.depends("date_planned_start", "date_due")
    def _compute_date_calendar(self):
        for intervention in self:
            if intervention.date_planned_start:
                intervention.date_calendar = intervention.date_planned_start
            elif intervention.date_due:
                intervention.date_calendar = datetime.combine(
                    intervention.date_due, time(8, 0)
                )
            else:
                intervention.date_calendar = False

    @lifecycle_action
    def _inverse_date_calendar(self):
        for intervention in self:
            if not intervention.date_calendar or intervention.state in (
                "done",
                "cancel",
            ):
                continue
            vals = {
                "date_planned_start": intervention.date_calendar,
                "date_planned_end": intervention.date_calendar
                + timedelta(hours=intervention.duration_expected or 1.0),
            }
            if intervention.user_id and intervention.state == "to_plan":
                vals["state"] = "planned"
            intervention.write(vals)

    def _compute_is_late(self):
        today = fields.Date.context_today(self)
        for intervention in self:
            intervention.is_late = bool(
                intervention.state in ("to_plan", "planned")
                and intervention.date_window_end
                and intervention.date_window_end < today
            )

    def _search_is_late(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on late visits."))
        domain = [
            ("state", "in", ("to_plan", "planned")),
            ("date_window_end", "<", fields.Date.context_today(self)),
        ]
        if (operator == "=") != value:
            return ["!", "&", *domain]
        return domain

    @api.constrains("date_planned_start", "date_planned_end")
    def _check_planned_dates(self):
        for intervention in self:
            if (
                intervention.date_planned_start
                and intervention.date_planned_end
                and intervention.date_planned_end < intervention.date_planned_start
            ):
                raise ValidationError(
                    self.env._(
                        "%(name)s: the planned end is before the planned start.",
                        name=intervention.name,
                    )
                )

    @api.constrains("date_window_start", "date_window_end")
    def _check_window(self):
        for intervention in self:
            if (
                intervention.date_window_start
                and intervention.date_window_end
                and intervention.date_window_end < intervention.date_window_start
            ):
                raise ValidationError(
                    self.env._(
                        "%(name)s: the window ends (%(end)s) before it starts "
                        "(%(start)s).",
                        name=intervention.name,
                        start=intervention.date_window_start,
                        end=intervention.date_window_end,
                    )
                )

    @api.constrains("site_id", "contract_id")
    def _check_site(self):
        for intervention in self:
            if (
                intervention.site_id
                and intervention.site_id not in intervention.contract_id.sudo().site_ids
            ):
                raise ValidationError(
                    self.env._(
                        "%(name)s: the site %(site)s is not one of the sites of "
                        "contract %(contract)s.",
                        name=intervention.name,
                        site=intervention.site_id.display_name,
                        contract=intervention.contract_id.sudo().name,
                    )
                )

    # ------------------------------------------------------------------
    # Planning hooks (the planner, Interventions > Plan Visits, and the
    # customer's appointment extend them from their own files)
    # ------------------------------------------------------------------

    def _planning_is_fixed(self, keep_planned=True):
        """Whether the planner must keep this planned visit where it is."""
        self.ensure_one()
        return self.state == "planned" and keep_planned

    def _on_planned_by_planner(self):
        """Called once on the visits the planner has just confirmed."""

    # ------------------------------------------------------------------
    # Guarded fields
    # ------------------------------------------------------------------

    def _get_lifecycle_actions(self):
        return (
            *super()._get_lifecycle_actions(),
            "_inverse_date_calendar",
            "action_plan",
            "action_start",
            "action_finish",
            "action_done",
            "action_cancel",
            "action_reset",
            "_attach_report",
            "_schedule_alert",
        )

    def _get_action_fields(self):
        return INTERVENTION_ACTION_FIELDS

    def _get_create_only_fields(self):
        return INTERVENTION_CREATE_ONLY_FIELDS

    def _get_frozen_fields(self):
        return INTERVENTION_DONE_FIELDS

    def _get_technician_fields(self):
        """Fields a technician writes on their own visits."""
        return TECHNICIAN_FIELDS

    def _is_frozen(self):
        self.ensure_one()
        return self.state in ("done", "cancel")

    def _get_frozen_message(self, labels):
        return self.env._(
            "%(fields)s of done or cancelled visits cannot change: %(names)s",
            fields=labels,
            names=", ".join(self.mapped("name")),
        )

    def _check_lifecycle_write(self, vals):
        super()._check_lifecycle_write(vals)
        if self._is_lifecycle_write() or self.env.su:
            return
        user = self.env.user
        if user.has_group(
            "service_contract.group_service_contract_user"
        ) or not user.has_group("service_contract.group_service_contract_technician"):
            return
        refused = set(vals) - set(self._get_technician_fields())
        if vals.get("user_id") == user.id:
            refused.discard("user_id")  # assigning oneself changes nothing
        if refused:
            raise UserError(
                self.env._(
                    "Technicians only record the execution of their visits; "
                    "they cannot change %(fields)s.",
                    fields=self._field_labels(refused),
                )
            )

    def write(self, vals):
        self._check_lifecycle_write(vals)
        result = super().write(vals)
        if "state" in vals:
            self._close_alerts()
        return result

    def _close_alerts(self):
        """The alerts a visit no longer needs are marked as done: 'plan' once
        it leaves the state to plan (planned, done or cancelled), 'late' once
        it is done or cancelled; whatever wrote the state (a button, the
        calendar, a scheduled action)."""
        to_close = {
            "service_contract.mail_activity_type_visit_to_plan": self.filtered(
                lambda i: i.state != "to_plan"
            ),
            "service_contract.mail_activity_type_visit_late": self.filtered(
                lambda i: i.state in ("done", "cancel")
            ),
        }
        for xmlid, visits in to_close.items():
            activity_type = self.env.ref(xmlid, raise_if_not_found=False)
            if not (visits and activity_type):
                continue
            self.env["mail.activity"].search(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", visits.ids),
                    ("activity_type_id", "=", activity_type.id),
                ]
            ).action_feedback()

    @api.model_create_multi
    def create(self, vals_list):
        self._check_lifecycle_create(vals_list)
        new = self.env._("New")
        unnamed = [vals for vals in vals_list if vals.get("name", new) == new]
        names = next_names(self.env, "service.intervention", len(unnamed))
        for vals, name in zip(unnamed, names, strict=True):
            vals["name"] = name or "/"
        return super().create(vals_list)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    @lifecycle_action
    def action_plan(self):
        """Planned: a technician and a date are set."""
        self._check_state(
            ("to_plan", "planned"),
            self.env._("Only visits to plan can be planned: %(names)s"),
        )
        for intervention in self:
            if not (intervention.user_id and intervention.date_planned_start):
                raise UserError(
                    self.env._(
                        "Set the technician and the planned start of %(name)s "
                        "before planning it.",
                        name=intervention.name,
                    )
                )
            vals = {"state": "planned"}
            if not intervention.date_planned_end:
                vals["date_planned_end"] = intervention.date_planned_start + timedelta(
                    hours=intervention.duration_expected or 1.0
                )
            intervention.write(vals)
        return True

    @lifecycle_action
    def action_start(self):
        self._check_state(
            ("planned",), self.env._("Only planned visits can be started: %(names)s")
        )
        self.write({"date_started": fields.Datetime.now()})
        return True

    @lifecycle_action
    def action_finish(self):
        """Stop the clock: the time since the start is added to time spent."""
        now = fields.Datetime.now()
        for intervention in self:
            if not intervention.date_started:
                raise UserError(
                    self.env._("%(name)s was not started.", name=intervention.name)
                )
            spent = (now - intervention.date_started).total_seconds() / 3600
            intervention.write(
                {
                    "duration_actual": intervention.duration_actual + spent,
                    "date_started": False,
                }
            )
        return True

    @lifecycle_action
    def action_done(self):
        self._check_state(
            ("to_plan", "planned"),
            self.env._("Only open visits can be marked as done: %(names)s"),
        )
        self._check_can_be_done()
        for intervention in self:
            if intervention.date_started:
                intervention.action_finish()
            if intervention.report_required and is_html_empty(intervention.report):
                raise UserError(
                    self.env._(
                        "Write the visit report of %(name)s before marking it "
                        "as done.",
                        name=intervention.name,
                    )
                )
            if intervention.signature_required and not intervention.signature:
                raise UserError(
                    self.env._(
                        "The customer must sign %(name)s before it is marked as "
                        "done.",
                        name=intervention.name,
                    )
                )
        self.write({"state": "done", "date_done": fields.Datetime.now()})
        self._on_done()
        self._attach_report()
        return True

    def _check_can_be_done(self):
        """Hook: raise a UserError if a visit cannot be marked as done yet;
        called by ``action_done`` before anything changes. Extend it per
        concern (checklists...)."""

    def _on_done(self):
        """Hook: the visits were just marked as done (state written); extend
        it per concern rather than ``action_done``."""

    @lifecycle_action
    def action_cancel(self):
        self._check_state(
            ("to_plan", "planned"),
            self.env._("Done visits cannot be cancelled: %(names)s"),
        )
        self.write({"state": "cancel"})
        return True

    @lifecycle_action
    def action_reset(self):
        self._check_state(
            ("cancel",), self.env._("Only cancelled visits can be reopened: %(names)s")
        )
        self.write({"state": "to_plan"})
        return True

    def action_send_visit_notice(self):
        """Email the site contact the date of the visit."""
        return self._action_compose("service_contract.mail_template_visit_notice")

    def action_send_report(self):
        return self._action_compose(
            "service_contract.mail_template_intervention_report"
        )

    @lifecycle_action
    def _attach_report(self):
        """Store the signed visit report (PDF) on the intervention and link
        it: it is served from that link, never looked up by name."""
        self._attach_pdf(
            "service_contract.action_report_intervention",
            "report_document_id",
            lambda intervention: f"{intervention.name.replace('/', '-')}.pdf",
        )

    @lifecycle_action
    def _schedule_alert(self, level, today):
        """One activity per visit: 'plan' to the contract's responsible,
        'late' to the technician (or the responsible)."""
        if not self:
            return
        activity_type = self.env.ref(
            "service_contract.mail_activity_type_visit_to_plan"
            if level == "plan"
            else "service_contract.mail_activity_type_visit_late"
        )
        model_id = self.env["ir.model"]._get_id(self._name)
        vals_list = []
        for intervention in self:
            responsible = intervention.contract_id.user_id
            if level == "late":
                user = intervention.user_id or responsible
                deadline = today
            else:
                user = responsible or intervention.user_id
                deadline = intervention.date_due
            vals_list.append(
                {
                    "res_model_id": model_id,
                    "res_id": intervention.id,
                    "activity_type_id": activity_type.id,
                    "summary": activity_type.summary or activity_type.name,
                    "user_id": (user or self.env.user).id,
                    "date_deadline": deadline,
                }
            )
        self.env["mail.activity"].create(vals_list)
        self.write({"alert_sent": level})

    def _get_recipient_for_notice(self):
        self.ensure_one()
        return self.site_id.site_contact_id or self.site_id or self.partner_id
