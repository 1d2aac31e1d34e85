from odoo import api, fields, models


class ServiceVisitPlan(models.Model):
    """Visit plans added or ended by an amendment: they run from or until a
    date, optionally at one site only."""

    _inherit = "service.visit.plan"

    amendment_id = fields.Many2one(
        "service.contract.amendment",
        ondelete="cascade",
        index="btree_not_null",
        check_company=True,
        help="The amendment that adds this plan: it applies once signed.",
    )
    amendment_pending = fields.Boolean(
        compute="_compute_amendment_pending", store=True, index=True
    )
    site_id = fields.Many2one(
        "res.partner",
        check_company=True,
        domain="[('type', '=', 'site')]",
        help="Only this site gets the visits of the plan.",
    )
    date_from = fields.Date(string="Visits From", copy=False)
    date_to = fields.Date(string="Visits Until", copy=False)

    @api.depends("amendment_id.state")
    def _compute_amendment_pending(self):
        for plan in self:
            plan.amendment_pending = bool(
                plan.amendment_id and plan.amendment_id.state != "done"
            )

    @api.model_create_multi
    def create(self, vals_list):
        amendments = self.env["service.contract.amendment"].browse(
            [vals["amendment_id"] for vals in vals_list if vals.get("amendment_id")]
        )
        for vals in vals_list:
            if vals.get("amendment_id") and not vals.get("contract_id"):
                amendment = amendments.browse(vals["amendment_id"])
                vals["contract_id"] = amendment.contract_id.id
        return super().create(vals_list)

    def _get_visit_sites(self, contract):
        self.ensure_one()
        if self.site_id:
            return self.site_id
        return super()._get_visit_sites(contract)

    def _due_dates(self, start, until):
        """Due dates within the plan's own dates, counted from its start."""
        self.ensure_one()
        if self.date_from and self.date_from > start:
            start = self.date_from
        if self.date_to and self.date_to < until:
            until = self.date_to
        if start > until:
            return []
        return super()._due_dates(start, until)
