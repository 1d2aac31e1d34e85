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

    def _get_signed_fields(self):
        return [*super()._get_signed_fields(), "site_id", "date_from", "date_to"]

    def _check_owners_not_waiting(self, contracts, amendments):
        """The visit plans of a contract or an amendment waiting for the
        customer's signature are part of what was sent: they do not change
        (see service_signed_document.py)."""
        contracts._check_waiting_unchanged(["visit_plan_ids"])
        amendments._check_waiting_unchanged(["plan_ids"])

    @api.model_create_multi
    def create(self, vals_list):
        amendments = self.env["service.contract.amendment"].browse(
            [vals["amendment_id"] for vals in vals_list if vals.get("amendment_id")]
        )
        self._check_owners_not_waiting(
            self.env["service.contract"].browse(
                [vals["contract_id"] for vals in vals_list if vals.get("contract_id")]
            ),
            amendments,
        )
        for vals in vals_list:
            if vals.get("amendment_id") and not vals.get("contract_id"):
                amendment = amendments.browse(vals["amendment_id"])
                vals["contract_id"] = amendment.contract_id.id
        return super().create(vals_list)

    def write(self, vals):
        owners = {"contract_id", "amendment_id", "template_id"}
        if set(vals) & (owners | set(self._get_signed_fields())):
            contracts, amendments = self.contract_id, self.amendment_id
            if vals.get("contract_id"):
                contracts |= contracts.browse(vals["contract_id"])
            if vals.get("amendment_id"):
                amendments |= amendments.browse(vals["amendment_id"])
            self._check_owners_not_waiting(contracts, amendments)
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_waiting_for_signature(self):
        self._check_owners_not_waiting(self.contract_id, self.amendment_id)

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
