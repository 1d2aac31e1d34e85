from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_compare, format_list

from .service_checklist_template import (
    CERTIFICATE_FIELDS,
    CHECKLIST_KINDS,
    split_options,
)
from .service_lifecycle_guard import lifecycle_action

# The answer of a line: frozen once its visit is done or cancelled.
LINE_VALUE_FIELDS = ("value_bool", "value_float", "value_choice", "value_text", "photo")
# The copy of the template's item: set when the checklist is created.
LINE_ITEM_FIELDS = (
    "checklist_id",
    "item_id",
    "name",
    "kind",
    "required",
    "unit",
    "min_value",
    "max_value",
    "choice_options",
    "certificate_field",
)


class ServiceInterventionChecklist(models.Model):
    """The checklist of one equipment item on one visit, filled by the
    technician from the template of the item's category."""

    _name = "service.intervention.checklist"
    _description = "Intervention Checklist"
    _order = "intervention_id, id"
    _check_company_auto = True

    intervention_id = fields.Many2one(
        "service.intervention", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(
        related="intervention_id.company_id", store=True, index=True, precompute=True
    )
    equipment_id = fields.Many2one(
        "service.equipment", required=True, index=True, check_company=True
    )
    template_id = fields.Many2one(
        "service.checklist.template", string="Checklist Template", required=True
    )
    line_ids = fields.One2many(
        "service.intervention.checklist.line", "checklist_id", string="Answers"
    )
    is_complete = fields.Boolean(
        compute="_compute_is_complete", help="Every required item is answered."
    )
    out_of_range_count = fields.Integer(compute="_compute_is_complete")

    _sql_constraints = [
        (
            "intervention_equipment_uniq",
            "UNIQUE(intervention_id, equipment_id)",
            "An equipment item has one checklist per visit.",
        )
    ]

    @api.depends("equipment_id", "template_id")
    def _compute_display_name(self):
        for checklist in self:
            checklist.display_name = (
                f"{checklist.equipment_id.display_name} - "
                f"{checklist.template_id.display_name}"
            )

    @api.depends("line_ids.is_answered", "line_ids.out_of_range")
    def _compute_is_complete(self):
        for checklist in self:
            checklist.is_complete = all(
                line.is_answered for line in checklist.line_ids if line.required
            )
            checklist.out_of_range_count = len(
                checklist.line_ids.filtered("out_of_range")
            )

    def _check_open_interventions(self):
        closed = self.intervention_id.filtered(lambda i: i.state in ("done", "cancel"))
        if closed and not self.env["service.lifecycle.guard"]._is_lifecycle_write():
            raise UserError(
                self.env._(
                    "The checklists of done or cancelled visits cannot change: "
                    "%(names)s",
                    names=", ".join(closed.mapped("name")),
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        checklists = super().create(vals_list)
        checklists._check_open_interventions()
        return checklists

    def write(self, vals):
        self._check_open_interventions()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_closed_intervention(self):
        self._check_open_interventions()


class ServiceInterventionChecklistLine(models.Model):
    """One answer of a checklist: a copy of the template's item (the question
    as asked on that day) and the technician's value."""

    _name = "service.intervention.checklist.line"
    _description = "Intervention Checklist Answer"
    _inherit = ["service.lifecycle.guard"]
    _order = "checklist_id, sequence, id"
    _check_company_auto = True

    checklist_id = fields.Many2one(
        "service.intervention.checklist",
        required=True,
        index=True,
        ondelete="cascade",
    )
    # Not precomputed: the lines are created with their checklist.
    intervention_id = fields.Many2one(
        related="checklist_id.intervention_id", store=True, index=True
    )
    equipment_id = fields.Many2one(related="checklist_id.equipment_id", store=True)
    company_id = fields.Many2one(
        related="checklist_id.company_id", store=True, index=True
    )
    intervention_state = fields.Selection(related="intervention_id.state")
    item_id = fields.Many2one(
        "service.checklist.template.item", string="Template Item", ondelete="set null"
    )
    sequence = fields.Integer(default=10)
    name = fields.Char(string="Check", required=True)
    kind = fields.Selection(CHECKLIST_KINDS, required=True, default="check")
    required = fields.Boolean()
    unit = fields.Char()
    min_value = fields.Float(string="Minimum")
    max_value = fields.Float(string="Maximum")
    choice_options = fields.Char(string="Options")
    certificate_field = fields.Selection(
        CERTIFICATE_FIELDS, string="Certificate Role", default="none"
    )
    value_bool = fields.Boolean(string="Done")
    value_float = fields.Float(string="Value")
    value_choice = fields.Char(string="Choice")
    value_text = fields.Text(string="Answer")
    photo = fields.Image(max_width=1920, max_height=1920)
    measured = fields.Boolean(
        readonly=True, help="A value was entered (0 is a measure too)."
    )
    is_answered = fields.Boolean(compute="_compute_is_answered", store=True)
    out_of_range = fields.Boolean(
        compute="_compute_out_of_range",
        store=True,
        help="The measure is outside its acceptable range.",
    )
    out_of_range_notified = fields.Boolean(
        readonly=True,
        copy=False,
        help="The responsible got an activity to plan a corrective visit.",
    )
    range_display = fields.Char(string="Range", compute="_compute_range_display")

    @api.depends(
        "kind",
        "value_bool",
        "measured",
        "value_float",
        "value_choice",
        "value_text",
        "photo",
    )
    def _compute_is_answered(self):
        for line in self:
            line.is_answered = bool(
                {
                    "check": line.value_bool,
                    "measure": line._is_measured(),
                    "choice": line.value_choice,
                    "text": line.value_text and line.value_text.strip(),
                    "photo": line.photo,
                }.get(line.kind)
            )

    def _is_measured(self):
        """A value was entered: ``measured`` is stored on write; a value not
        saved yet (form being edited) counts too."""
        self.ensure_one()
        return self.measured or bool(self.value_float)

    def _has_range(self):
        self.ensure_one()
        return bool(self.min_value or self.max_value)

    @api.depends("kind", "measured", "value_float", "min_value", "max_value")
    def _compute_out_of_range(self):
        for line in self:
            line.out_of_range = bool(
                line.kind == "measure"
                and line._is_measured()
                and line._has_range()
                and (
                    float_compare(line.value_float, line.min_value, precision_digits=6)
                    < 0
                    or float_compare(
                        line.value_float, line.max_value, precision_digits=6
                    )
                    > 0
                )
            )

    @api.depends("kind", "min_value", "max_value", "unit")
    def _compute_range_display(self):
        for line in self:
            if line.kind == "measure" and line._has_range():
                line.range_display = (
                    f"{line.min_value:g} - {line.max_value:g} {line.unit or ''}"
                ).strip()
            elif line.kind == "choice":
                line.range_display = ", ".join(split_options(line.choice_options))
            else:
                line.range_display = False

    @api.constrains("value_choice", "choice_options")
    def _check_value_choice(self):
        for line in self:
            if line.value_choice and line.value_choice.strip() not in split_options(
                line.choice_options
            ):
                raise ValidationError(
                    self.env._(
                        "%(item)s: choose one of %(options)s (not %(value)s).",
                        item=line.name,
                        options=", ".join(split_options(line.choice_options)),
                        value=line.value_choice,
                    )
                )

    # ------------------------------------------------------------------
    # Guarded fields: the question is set at creation, the answers of a
    # done or cancelled visit are frozen.
    # ------------------------------------------------------------------

    def _get_lifecycle_actions(self):
        return (
            *super()._get_lifecycle_actions(),
            "_mark_measured",
            "_notify_out_of_range",
        )

    def _get_action_fields(self):
        return ("measured", "out_of_range_notified")

    def _get_create_only_fields(self):
        return LINE_ITEM_FIELDS

    def _get_frozen_fields(self):
        return LINE_VALUE_FIELDS

    def _is_frozen(self):
        self.ensure_one()
        return self.intervention_id.state in ("done", "cancel")

    def _get_frozen_message(self, labels):
        return self.env._(
            "The checklists of done or cancelled visits cannot change "
            "(%(fields)s): %(names)s",
            fields=labels,
            names=", ".join(self.intervention_id.mapped("name")),
        )

    @api.model_create_multi
    def create(self, vals_list):
        self._check_lifecycle_create(vals_list)
        lines = super().create(vals_list)
        lines.checklist_id._check_open_interventions()
        lines.filtered(lambda line: line.value_float)._mark_measured()
        lines._notify_out_of_range()
        return lines

    def write(self, vals):
        self._check_lifecycle_write(vals)
        result = super().write(vals)
        if "value_float" in vals:
            self._mark_measured()
        self._notify_out_of_range()
        return result

    @lifecycle_action
    def _mark_measured(self):
        measures = self.filtered(lambda line: line.kind == "measure")
        if measures:
            measures.write({"measured": True})

    # ------------------------------------------------------------------
    # Out of range: an activity to plan a corrective visit
    # ------------------------------------------------------------------

    @lifecycle_action
    def _notify_out_of_range(self):
        """One activity per visit for the contract's responsible, the first
        time a measure of the visit is out of range."""
        lines = self.sudo().filtered(
            lambda line: line.out_of_range and not line.out_of_range_notified
        )
        if not lines:
            return
        activity_type = self.env.ref(
            "service_contract.mail_activity_type_checklist_out_of_range"
        )
        lines_by_visit = defaultdict(lambda: self.sudo().browse())
        for line in lines:
            lines_by_visit[line.intervention_id] |= line
        model_id = self.env["ir.model"]._get_id("service.intervention")
        vals_list = []
        for intervention, visit_lines in lines_by_visit.items():
            if intervention.activity_ids.filtered(
                lambda a: a.activity_type_id == activity_type
            ):
                continue  # the responsible already has it
            responsible = intervention.contract_id.user_id or intervention.user_id
            vals_list.append(
                {
                    "res_model_id": model_id,
                    "res_id": intervention.id,
                    "activity_type_id": activity_type.id,
                    "summary": activity_type.summary,
                    "note": self.env._(
                        "Out of range: %(measures)s. Plan a corrective visit.",
                        measures=format_list(
                            self.env,
                            [
                                f"{line.equipment_id.display_name}: {line.name} "
                                f"{line.value_float:g} {line.unit or ''} "
                                f"({line.range_display})"
                                for line in visit_lines
                            ],
                        ),
                    ),
                    "user_id": (responsible or self.env.user).id,
                    "date_deadline": fields.Date.context_today(self),
                }
            )
        if vals_list:
            self.env["mail.activity"].sudo().create(vals_list)
        lines.write({"out_of_range_notified": True})


class ServiceIntervention(models.Model):
    _inherit = "service.intervention"

    checklist_ids = fields.One2many(
        "service.intervention.checklist", "intervention_id", string="Checklists"
    )
    checklist_line_ids = fields.One2many(
        "service.intervention.checklist.line",
        "intervention_id",
        string="Checklist Answers",
    )
    checklist_out_of_range = fields.Boolean(compute="_compute_checklist_state")
    checklist_incomplete = fields.Boolean(compute="_compute_checklist_state")

    @api.depends("checklist_line_ids.out_of_range", "checklist_line_ids.is_answered")
    def _compute_checklist_state(self):
        for intervention in self:
            lines = intervention.checklist_line_ids
            intervention.checklist_out_of_range = any(lines.mapped("out_of_range"))
            intervention.checklist_incomplete = any(
                line.required and not line.is_answered for line in lines
            )

    @api.model_create_multi
    def create(self, vals_list):
        interventions = super().create(vals_list)
        interventions.filtered("equipment_ids")._sync_checklists()
        return interventions

    def write(self, vals):
        result = super().write(vals)
        if "equipment_ids" in vals:
            self._sync_checklists()
        return result

    def _get_lifecycle_actions(self):
        return (*super()._get_lifecycle_actions(), "_sync_checklists")

    def _get_technician_fields(self):
        """Technicians fill the answers of their visit's checklists (the
        lines themselves only let them change the answers)."""
        res = super()._get_technician_fields() + ("checklist_line_ids",)
        return res

    @lifecycle_action
    def action_start(self):
        self._sync_checklists()
        return super().action_start()

    @lifecycle_action
    def _sync_checklists(self):
        """One checklist per equipment item of an open visit whose category
        has a template; the unanswered checklists of items no longer covered
        go. Done or cancelled visits keep theirs."""
        Checklist = self.env["service.intervention.checklist"].sudo()
        vals_list = []
        obsolete = Checklist.browse()
        for intervention in self.sudo():
            if intervention.state in ("done", "cancel"):
                continue
            wanted = {
                equipment: equipment.category_id.checklist_template_id
                for equipment in intervention.equipment_ids
                if equipment.category_id.checklist_template_id
            }
            existing = intervention.checklist_ids
            for checklist in existing:
                if checklist.equipment_id not in wanted and not any(
                    checklist.line_ids.mapped("is_answered")
                ):
                    obsolete |= checklist
            for equipment, template in wanted.items():
                if equipment in existing.equipment_id:
                    continue
                vals_list.append(
                    {
                        "intervention_id": intervention.id,
                        "equipment_id": equipment.id,
                        "template_id": template.id,
                        "line_ids": [
                            fields.Command.create(item._prepare_checklist_line_vals())
                            for item in template.item_ids
                        ],
                    }
                )
        obsolete.unlink()
        if vals_list:
            Checklist.create(vals_list)

    def _check_can_be_done(self):
        result = super()._check_can_be_done()
        for intervention in self:
            missing = intervention.sudo().checklist_line_ids.filtered(
                lambda line: line.required and not line.is_answered
            )
            if missing:
                raise UserError(
                    self.env._(
                        "Fill in the checklist of %(name)s before marking it as "
                        "done: %(items)s.",
                        name=intervention.name,
                        items=format_list(
                            self.env,
                            [
                                f"{line.equipment_id.display_name}: {line.name}"
                                for line in missing
                            ],
                        ),
                    )
                )
        return result
