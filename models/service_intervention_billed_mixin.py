from odoo import api, fields, models


class ServiceInterventionBilledMixin(models.AbstractModel):
    """A document that bills interventions (a customer invoice, a
    quotation): its lines carry ``service_intervention_id``; the document
    lists those interventions and opens them (smart button)."""

    _name = "service.intervention.billed.mixin"
    _description = "Document Billing Interventions"

    # The document's lines, each with a ``service_intervention_id``.
    _service_intervention_lines = None

    service_intervention_ids = fields.Many2many(
        "service.intervention",
        string="Interventions",
        compute="_compute_service_intervention_ids",
        groups="service_contract.group_service_contract_user",
    )
    service_intervention_count = fields.Integer(
        compute="_compute_service_intervention_ids"
    )

    @api.depends(
        lambda self: [f"{self._service_intervention_lines}.service_intervention_id"]
        if self._service_intervention_lines
        else []
    )
    def _compute_service_intervention_ids(self):
        """The interventions billed (or credited) by the document's lines."""
        for document in self:
            lines = document[self._service_intervention_lines]
            interventions = lines.service_intervention_id
            document.service_intervention_ids = interventions
            document.service_intervention_count = len(interventions)

    def action_view_service_interventions(self):
        self.ensure_one()
        return self.service_intervention_ids._action_view_interventions()
