from odoo import _, http
from odoo.exceptions import AccessError, MissingError
from odoo.http import content_disposition, request

from ..models.service_contract_amendment import PORTAL_AMENDMENT_STATES
from .portal import ServiceContractPortal

AMENDMENT_REPORT = "service_contract.action_report_contract_amendment"


class ServiceContractAmendmentPortal(ServiceContractPortal):
    """Amendments on the customer portal: read, download and sign online."""

    def _amendment_check_access(self, amendment_id, access_token=None):
        """The amendment as sudo, if the visitor may see it: by its token or
        the record rules, once sent to the customer."""
        return self._portal_record_check_access(
            "service.contract.amendment",
            amendment_id,
            access_token=access_token,
            states=PORTAL_AMENDMENT_STATES,
            message=_("This amendment is not available."),
        )

    @http.route(
        ["/my/amendments/<int:amendment_id>"],
        type="http",
        auth="public",
        website=True,
    )
    def portal_amendment_page(
        self, amendment_id, report_type=None, access_token=None, message=False, **kw
    ):
        try:
            amendment_sudo = self._amendment_check_access(amendment_id, access_token)
        except (AccessError, MissingError):
            raise request.not_found() from None
        if report_type in ("html", "pdf", "text"):
            if report_type == "pdf" and amendment_sudo.signed_document_id:
                return self._attachment_response(amendment_sudo.signed_document_id)
            response = self._show_report(
                model=amendment_sudo,
                report_type=report_type,
                report_ref=AMENDMENT_REPORT,
            )
            if report_type == "pdf":
                filename = f"{amendment_sudo.name.replace('/', '-')}.pdf"
                response.headers["Content-Disposition"] = content_disposition(filename)
            return response
        action = amendment_sudo._get_portal_return_action()
        values = {
            "amendment": amendment_sudo,
            "can_sign": amendment_sudo._portal_can_sign(request.env.user),
            "signer_name": self._portal_signer_name(amendment_sudo),
            "portal_tz": self._portal_tz(amendment_sudo),
            # The fingerprint of what the page shows: only that is signed.
            "sign_url": amendment_sudo.get_portal_url(
                suffix="/sign",
                query_string="&document_hash="
                + amendment_sudo._signature_fingerprint(),
            ),
            "message": message,
            "report_type": "html",
            "backend_url": f"/odoo/action-{action.id}/{amendment_sudo.id}",
            "res_company": amendment_sudo.company_id,
            "page_name": "service_contract_amendment",
        }
        values = self._get_page_view_values(
            amendment_sudo, access_token, values, "my_amendments_history", False
        )
        return request.render(
            "service_contract.service_contract_amendment_portal_page", values
        )

    @http.route(
        ["/my/amendments/<int:amendment_id>/sign"],
        type="json",
        auth="public",
        website=True,
    )
    def portal_amendment_sign(
        self,
        amendment_id,
        access_token=None,
        name=None,
        signature=None,
        document_hash=None,
    ):
        return self._portal_sign_answer(
            self._amendment_check_access,
            amendment_id,
            access_token,
            name,
            signature,
            document_hash,
            invalid_message=_("Invalid amendment."),
            reload_message=_("Reload the page to sign the current amendment."),
        )
