from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .date_utils import visit_due_dates
from .selection import selection_label

MAX_VISITS_PER_YEAR = 365
# Longest interval between two visits: ten years, in each unit.
MAX_INTERVAL = {"day": 3660, "week": 520, "month": 120}
MAX_TOLERANCE_DAYS = 365


class ServiceVisitPlan(models.Model):
    """What preventive visits a contract (or a template) calls for."""

    _name = "service.visit.plan"
    _description = "Preventive Visit Plan"
    _order = "sequence, id"
    _check_company_auto = True

    sequence = fields.Integer(default=10)
    template_id = fields.Many2one(
        "service.contract.template",
        ondelete="cascade",
        index="btree_not_null",
        check_company=True,
    )
    contract_id = fields.Many2one(
        "service.contract",
        ondelete="cascade",
        index="btree_not_null",
        check_company=True,
    )
    company_id = fields.Many2one(
        "res.company", compute="_compute_company_id", store=True, index=True
    )
    name = fields.Char(
        string="Visit",
        required=True,
        translate=True,
        help="What is done, e.g. 'Boiler service' or 'Lift visit'.",
    )
    product_id = fields.Many2one(
        "product.product",
        string="Service",
        domain=[("type", "=", "service")],
        check_company=True,
    )
    frequency_type = fields.Selection(
        [("count", "Times per year"), ("interval", "Every")],
        string="Frequency",
        default="count",
        required=True,
    )
    count_per_year = fields.Integer(string="Visits per Year", default=1)
    interval = fields.Integer(default=1)
    interval_unit = fields.Selection(
        [("day", "Days"), ("week", "Weeks"), ("month", "Months")],
        default="month",
        required=True,
    )
    per_site = fields.Boolean(help="One visit for each site of the contract.")
    days_early = fields.Integer(default=7, help="How early a visit may be done.")
    days_late = fields.Integer(default=15, help="How late a visit may be done.")
    duration = fields.Float(string="Expected Duration", default=1.0, help="In hours.")
    signature_required = fields.Boolean(
        string="Customer Signature", help="The customer signs the visit report."
    )
    report_required = fields.Boolean(default=True, help="A visit report is mandatory.")

    _sql_constraints = [
        (
            "owner_check",
            "CHECK((template_id IS NULL) != (contract_id IS NULL))",
            "A visit plan belongs to a template or to a contract.",
        ),
    ]

    @api.depends("contract_id.company_id", "template_id.company_id")
    def _compute_company_id(self):
        for plan in self:
            plan.company_id = plan.contract_id.company_id or plan.template_id.company_id

    @api.constrains(
        "frequency_type",
        "count_per_year",
        "interval",
        "interval_unit",
        "days_early",
        "days_late",
        "duration",
    )
    def _check_frequency(self):
        """Counts and intervals are positive and at most what makes sense:
        one visit a day, one visit every ten years, a tolerance of a year."""
        for plan in self:
            if plan.frequency_type == "count" and not (
                0 < plan.count_per_year <= MAX_VISITS_PER_YEAR
            ):
                raise ValidationError(
                    self.env._(
                        "Visit plan %(name)s: the number of visits per year must "
                        "be positive and at most %(max)s (%(value)s).",
                        name=plan.name,
                        max=MAX_VISITS_PER_YEAR,
                        value=plan.count_per_year,
                    )
                )
            max_interval = MAX_INTERVAL.get(plan.interval_unit, 0)
            if plan.frequency_type == "interval" and not (
                0 < plan.interval <= max_interval
            ):
                unit = selection_label(plan, "interval_unit", plan.interval_unit)
                raise ValidationError(
                    self.env._(
                        "Visit plan %(name)s: the interval between visits must be "
                        "positive and at most ten years (%(value)s %(unit)s).",
                        name=plan.name,
                        value=plan.interval,
                        unit=unit,
                    )
                )
            for days in (plan.days_early, plan.days_late):
                if not 0 <= days <= MAX_TOLERANCE_DAYS:
                    raise ValidationError(
                        self.env._(
                            "Visit plan %(name)s: the tolerance window cannot be "
                            "negative nor longer than %(max)s days (%(value)s).",
                            name=plan.name,
                            max=MAX_TOLERANCE_DAYS,
                            value=days,
                        )
                    )
            if plan.duration < 0:
                raise ValidationError(
                    self.env._(
                        "Visit plan %(name)s: the expected duration cannot be "
                        "negative (%(value)s hours).",
                        name=plan.name,
                        value=plan.duration,
                    )
                )

    def _get_copied_fields(self):
        return [
            "sequence",
            "name",
            "frequency_type",
            "count_per_year",
            "interval",
            "interval_unit",
            "per_site",
            "days_early",
            "days_late",
            "duration",
            "signature_required",
            "report_required",
        ]

    def _get_signed_fields(self):
        """What a contract or an amendment shows of its visit plans: part of
        what the customer signs (see service_signed_document.py)."""
        return [
            "name",
            "product_id",
            "frequency_type",
            "count_per_year",
            "interval",
            "interval_unit",
            "per_site",
        ]

    def _prepare_contract_plan_vals(self):
        self.ensure_one()
        vals = {name: self[name] for name in self._get_copied_fields()}
        return vals | {"product_id": self.product_id.id}

    def _get_visit_sites(self, contract):
        """The sites that get a visit at each due date (none: one visit
        without site)."""
        self.ensure_one()
        return contract.site_ids if self.per_site else contract.site_ids.browse()

    def _due_dates(self, start, until):
        self.ensure_one()
        if self.frequency_type == "count":
            return visit_due_dates(start, until, count_per_year=self.count_per_year)
        return visit_due_dates(
            start, until, interval=self.interval, unit=self.interval_unit
        )
