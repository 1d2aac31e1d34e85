import binascii

from odoo import _, http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import content_disposition, request

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

from ..models.service_contract_document import PORTAL_CONTRACT_STATES

CONTRACT_REPORT = "service_contract.action_report_service_contract"
INTERVENTION_REPORT = "service_contract.action_report_intervention"


class ServiceContractPortal(CustomerPortal):
    """Customer portal: contracts, online signature and interventions."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "service_contract_count" in counters:
            Contract = request.env["service.contract"]
            values["service_contract_count"] = (
                Contract.search_count(self._prepare_contracts_domain(), limit=1)
                if Contract.has_access("read")
                else 0
            )
        if "service_intervention_count" in counters:
            Intervention = request.env["service.intervention"]
            values["service_intervention_count"] = (
                Intervention.search_count(self._prepare_interventions_domain(), limit=1)
                if Intervention.has_access("read")
                else 0
            )
        return values

    def _prepare_portal_layout_values(self):
        values = super()._prepare_portal_layout_values()
        values["portal_tz"] = self._portal_tz()
        return values

    def _portal_tz(self, record=None):
        """The time zone the portal shows datetimes in: the visitor's,
        else the customer's of ``record`` (a visitor by a link), else the
        company's day."""
        user = request.env.user
        if not user._is_public() and user.tz:
            return user.tz
        if record and record.partner_id.tz:
            return record.partner_id.tz
        company = record.company_id if record else request.env.company
        return company._service_tz()

    def _portal_signer_name(self, record_sudo):
        """The name the signature form proposes: the person logged in,
        else (a visitor by a link) the signatory of ``record_sudo``."""
        user = request.env.user
        if not user._is_public():
            return user.partner_id.name
        return (record_sudo.signatory_id or record_sudo.partner_id).name

    def _portal_customer(self):
        """The visitor's company (its commercial partner): what the portal
        lists and opens is checked against it."""
        return request.env.user.partner_id.commercial_partner_id

    def _portal_record_check_access(
        self, model, record_id, access_token=None, states=None, message=None
    ):
        """The record of ``model`` as sudo, if the visitor may see it on the
        portal: by its token or the record rules. With ``states``, only once
        in one of them (sent to the customer: drafts and cancelled documents
        stay internal), except for internal users who can read it (they
        preview it in any state).

        Raises MissingError (``message`` for a state not shown) or
        AccessError otherwise; each route turns both into the same answer
        (404, redirect or error), so that a record of someone else cannot be
        told from a missing one."""
        record_sudo = self._document_check_access(
            model, record_id, access_token=access_token
        )
        if states is not None and record_sudo.state not in states:
            user = request.env.user
            if not (
                user._is_internal()
                and record_sudo.with_user(user).sudo(False).has_access("read")
            ):
                raise MissingError(message or _("This document is not available."))
        return record_sudo

    def _contract_check_access(self, contract_id, access_token=None):
        """The contract as sudo, if the visitor may see it on the portal:
        by its token or the record rules, and only once sent to the customer
        (drafts and cancelled contracts stay internal). Internal users who
        can read the contract preview it in any state."""
        return self._portal_record_check_access(
            "service.contract",
            contract_id,
            access_token=access_token,
            states=PORTAL_CONTRACT_STATES,
            message=_("This contract is not available."),
        )

    def _contract_done_visit(self, contract_sudo, intervention_id):
        """The done visit ``intervention_id`` of the contract (as sudo), or
        an empty recordset: the portal serves the documents of done visits
        only, and only through their own contract."""
        return contract_sudo.intervention_ids.filtered(
            lambda i: i.id == intervention_id and i.state == "done"
        )

    def _prepare_contracts_domain(self):
        partner = self._portal_customer()
        return [
            ("commercial_partner_id", "child_of", partner.ids),
            ("state", "in", PORTAL_CONTRACT_STATES),
        ]

    def _prepare_interventions_domain(self):
        partner = self._portal_customer()
        return [("partner_id", "child_of", partner.ids), ("state", "!=", "cancel")]

    def _get_contract_searchbar_sortings(self):
        return {
            "date": {"label": _("Start Date"), "order": "date_start desc, id desc"},
            "name": {"label": _("Reference"), "order": "name desc, id desc"},
            "end": {"label": _("End of Term"), "order": "date_end, id"},
        }

    def _prepare_list_values(self, model, domain, url, page, order, url_args=None):
        """Portal layout values, pager and the current page of ``model``."""
        Model = request.env[model]
        values = self._prepare_portal_layout_values()
        pager = portal_pager(
            url=url,
            url_args=url_args,
            total=Model.search_count(domain),
            page=page,
            step=self._items_per_page,
        )
        records = Model.search(
            domain, order=order, limit=self._items_per_page, offset=pager["offset"]
        )
        values.update({"pager": pager, "default_url": url})
        return values, records

    # ------------------------------------------------------------------
    # Contracts
    # ------------------------------------------------------------------

    @http.route(
        ["/my/contracts", "/my/contracts/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_contracts(self, page=1, sortby=None, **kw):
        sortings = self._get_contract_searchbar_sortings()
        sortby = sortby if sortby in sortings else "date"
        values, contracts = self._prepare_list_values(
            "service.contract",
            self._prepare_contracts_domain(),
            "/my/contracts",
            page,
            sortings[sortby]["order"],
            url_args={"sortby": sortby},
        )
        values.update(
            {
                "contracts": contracts.sudo(),
                "page_name": "service_contract",
                "searchbar_sortings": sortings,
                "sortby": sortby,
            }
        )
        request.session["my_service_contracts_history"] = contracts.ids[:100]
        return request.render("service_contract.portal_my_contracts", values)

    @http.route(
        ["/my/contracts/<int:contract_id>"], type="http", auth="public", website=True
    )
    def portal_contract_page(
        self,
        contract_id,
        report_type=None,
        access_token=None,
        message=False,
        download=False,
        **kw,
    ):
        try:
            contract_sudo = self._contract_check_access(contract_id, access_token)
        except (AccessError, MissingError):
            return request.redirect("/my")

        if report_type in ("html", "pdf", "text"):
            response = self._show_report(
                model=contract_sudo, report_type=report_type, report_ref=CONTRACT_REPORT
            )
            if report_type == "pdf" and download:
                filename = f"{contract_sudo.name.replace('/', '-')}.pdf"
                response.headers["Content-Disposition"] = content_disposition(filename)
            return response

        action = contract_sudo._get_portal_return_action()
        interventions = contract_sudo.intervention_ids
        values = {
            "service_contract": contract_sudo,
            "can_sign": contract_sudo._portal_can_sign(request.env.user),
            "signer_name": self._portal_signer_name(contract_sudo),
            "portal_tz": self._portal_tz(contract_sudo),
            # The fingerprint of what the page shows: only that is signed.
            "sign_url": contract_sudo.get_portal_url(
                suffix="/sign",
                query_string="&document_hash=" + contract_sudo._signature_fingerprint(),
            ),
            "message": message,
            "report_type": "html",
            "backend_url": f"/odoo/action-{action.id}/{contract_sudo.id}",
            "res_company": contract_sudo.company_id,
            "next_visits": interventions.filtered(
                lambda i: i.state in ("to_plan", "planned")
            ),
            "done_visits": interventions.filtered(lambda i: i.state == "done").sorted(
                "date_done", reverse=True
            ),
            "invoices": contract_sudo.invoice_ids.filtered(
                lambda m: m.state == "posted"
            ).sorted("invoice_date", reverse=True),
        }
        values = self._get_page_view_values(
            contract_sudo, access_token, values, "my_service_contracts_history", False
        )
        return request.render("service_contract.service_contract_portal_page", values)

    @http.route(
        ["/my/contracts/<int:contract_id>/sign"],
        type="json",
        auth="public",
        website=True,
    )
    def portal_contract_sign(
        self,
        contract_id,
        access_token=None,
        name=None,
        signature=None,
        document_hash=None,
    ):
        return self._portal_sign_answer(
            self._contract_check_access,
            contract_id,
            access_token,
            name,
            signature,
            document_hash,
            invalid_message=_("Invalid contract."),
            reload_message=_("Reload the page to sign the current contract."),
        )

    def _portal_sign_answer(
        self,
        check_access,
        record_id,
        access_token,
        name,
        signature,
        document_hash,
        invalid_message,
        reload_message,
    ):
        """The JSON answer to the online signature of a document (contract,
        amendment): ``check_access(record_id, access_token)`` gives it as
        sudo, if the visitor may see it (else ``invalid_message``); only the
        page shown (``document_hash``, its fingerprint) is signed (else
        ``reload_message``). It is signed in a savepoint (nothing is kept of
        a signature that fails half way); a refused or unreadable signature
        is an error message, a signed document sends the visitor back to its
        page."""
        # get from query string if not on json param
        args = request.httprequest.args
        access_token = access_token or args.get("access_token")
        # The fingerprint of what the page that was signed showed.
        document_hash = document_hash or args.get("document_hash")
        try:
            record_sudo = check_access(record_id, access_token)
        except (AccessError, MissingError):
            return {"error": invalid_message}
        if not document_hash:
            return {"error": reload_message}
        try:
            with request.env.cr.savepoint():
                record_sudo._portal_sign(
                    name, signature, document_hash, user=request.env.user
                )
        except UserError as error:
            return {"error": error.args[0]}
        except (TypeError, binascii.Error):
            return {"error": _("Invalid signature data.")}
        return {
            "force_refresh": True,
            "redirect_url": record_sudo.get_portal_url(query_string="&message=sign_ok"),
        }

    @http.route(
        ["/my/contracts/<int:contract_id>/signed_document"],
        type="http",
        auth="public",
        website=True,
    )
    def portal_contract_signed_document(self, contract_id, access_token=None, **kw):
        try:
            contract_sudo = self._contract_check_access(contract_id, access_token)
        except (AccessError, MissingError):
            return request.redirect("/my")
        if not contract_sudo.signed_document_id:
            raise request.not_found()
        return self._attachment_response(contract_sudo.signed_document_id)

    @http.route(
        ["/my/contracts/<int:contract_id>/visit_report/<int:intervention_id>"],
        type="http",
        auth="public",
        website=True,
    )
    def portal_contract_visit_report(
        self, contract_id, intervention_id, access_token=None, **kw
    ):
        """The report (PDF) of a done visit of the contract."""
        return self._contract_visit_document(
            contract_id,
            intervention_id,
            access_token,
            "report_document_id",
            report_ref=INTERVENTION_REPORT,
        )

    def _contract_visit_document(
        self, contract_id, intervention_id, access_token, field, report_ref=None
    ):
        """The document (PDF) of a done visit of the contract: the file the
        visit links in ``field``, else the report ``report_ref`` rendered
        now (none: not found)."""
        try:
            contract_sudo = self._contract_check_access(contract_id, access_token)
        except (AccessError, MissingError):
            return request.redirect("/my")
        intervention_sudo = self._contract_done_visit(contract_sudo, intervention_id)
        if intervention_sudo[field]:
            return self._attachment_response(intervention_sudo[field])
        if not intervention_sudo or not report_ref:
            raise request.not_found()
        return self._show_report(
            model=intervention_sudo, report_type="pdf", report_ref=report_ref
        )

    def _attachment_response(self, attachment_sudo):
        stream = request.env["ir.binary"]._get_stream_from(attachment_sudo)
        return stream.get_response(as_attachment=True)

    # ------------------------------------------------------------------
    # Interventions
    # ------------------------------------------------------------------

    @http.route(
        ["/my/interventions", "/my/interventions/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_interventions(self, page=1, **kw):
        values, interventions = self._prepare_list_values(
            "service.intervention",
            self._prepare_interventions_domain(),
            "/my/interventions",
            page,
            "date_due desc, id desc",
        )
        values.update(
            {
                "interventions": interventions.sudo(),
                "page_name": "service_intervention",
            }
        )
        return request.render("service_contract.portal_my_interventions", values)
