from odoo import http

from .portal import ServiceContractPortal


class ServiceCertificatePortal(ServiceContractPortal):
    """The boiler maintenance certificates of the customer's visits."""

    @http.route(
        ["/my/contracts/<int:contract_id>/certificate/<int:intervention_id>"],
        type="http",
        auth="public",
        website=True,
    )
    def portal_contract_certificate(
        self, contract_id, intervention_id, access_token=None, **kw
    ):
        """The stored maintenance certificate (PDF) of a done visit."""
        return self._contract_visit_document(
            contract_id, intervention_id, access_token, "certificate_document_id"
        )
