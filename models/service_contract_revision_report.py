from odoo import fields, models


class ServiceContractRevision(models.Model):
    """Reporting on the revision history: revisions per month with their
    average coefficient (pivot and graph views)."""

    _inherit = "service.contract.revision"

    coefficient = fields.Float(aggregator="avg")
