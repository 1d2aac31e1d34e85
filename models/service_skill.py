from odoo import api, fields, models


class ServiceSkill(models.Model):
    """A qualification a visit may require (gas boiler certification, lift,
    refrigerant handling...): the planner only gives a visit to a technician
    who holds all its skills on the day."""

    _name = "service.skill"
    _description = "Technician Skill"
    _order = "name, id"

    name = fields.Char(required=True, translate=True)
    company_id = fields.Many2one("res.company", index=True)
    active = fields.Boolean(default=True)


class ServiceUserSkill(models.Model):
    """A skill a technician holds, until its expiry date (included)."""

    _name = "service.user.skill"
    _description = "Technician's Skill"
    _order = "user_id, skill_id"
    _rec_name = "skill_id"

    user_id = fields.Many2one(
        "res.users", string="Technician", required=True, ondelete="cascade", index=True
    )
    skill_id = fields.Many2one("service.skill", required=True, ondelete="restrict")
    date_expiry = fields.Date(
        string="Valid Until",
        help="Last day the certification is valid; empty: it does not expire.",
    )
    reference = fields.Char(help="Certificate number.")

    _sql_constraints = [
        (
            "user_skill_uniq",
            "UNIQUE(user_id, skill_id)",
            "A technician holds each skill once.",
        ),
    ]

    def _is_valid_on(self, day):
        self.ensure_one()
        return not self.date_expiry or self.date_expiry >= day


class ResUsers(models.Model):
    _inherit = "res.users"

    service_skill_ids = fields.One2many(
        "service.user.skill", "user_id", string="Technician Skills"
    )
    service_start_point = fields.Selection(
        [("agency", "Agency"), ("home", "Home")],
        string="Day Starts At",
        default="agency",
        help="Where the technician's day starts and ends: the company's "
        "address, or their home.",
    )
    service_home_address_id = fields.Many2one(
        "res.partner",
        string="Home Address",
        help="With its coordinates (latitude, longitude), used when the day "
        "starts at home.",
    )

    def _service_skills_on(self, day):
        """The skills valid on ``day``."""
        self.ensure_one()
        return (
            self.sudo()
            .service_skill_ids.filtered(lambda s: s._is_valid_on(day))
            .skill_id
        )


class ServiceEquipmentCategory(models.Model):
    _inherit = "service.equipment.category"

    skill_ids = fields.Many2many(
        "service.skill",
        "service_equipment_category_skill_rel",
        "category_id",
        "skill_id",
        string="Required Skills",
        help="Skills a technician needs to work on equipment of this category.",
    )


class ServiceVisitPlan(models.Model):
    _inherit = "service.visit.plan"

    skill_ids = fields.Many2many(
        "service.skill",
        "service_visit_plan_skill_rel",
        "plan_id",
        "skill_id",
        string="Required Skills",
    )

    def _get_copied_fields(self):
        return [*super()._get_copied_fields(), "skill_ids"]


class ServiceIntervention(models.Model):
    _inherit = "service.intervention"

    skill_ids = fields.Many2many(
        "service.skill",
        "service_intervention_skill_rel",
        "intervention_id",
        "skill_id",
        string="Required Skills",
        compute="_compute_skill_ids",
        store=True,
        readonly=False,
        help="The skills of its visit plan and of its equipment's categories.",
    )

    @api.depends("plan_id.skill_ids", "equipment_ids.category_id.skill_ids")
    def _compute_skill_ids(self):
        for intervention in self:
            intervention.skill_ids = (
                intervention.plan_id.skill_ids
                | intervention.equipment_ids.category_id.skill_ids
            )
