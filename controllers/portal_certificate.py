from odoo import http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

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
        try:
            contract_sudo = self._contract_check_access(contract_id, access_token)
        except (AccessError, MissingError):
            return request.redirect("/my")
        intervention_sudo = self._contract_done_visit(contract_sudo, intervention_id)
        if not intervention_sudo.certificate_document_id:
            raise request.not_found()
        return self._attachment_response(intervention_sudo.certificate_document_id)
