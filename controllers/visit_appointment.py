from odoo import _, http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request

from .portal import ServiceContractPortal

# The longest note the customer may leave when asking for another date.
RESCHEDULE_NOTE_MAX = 2000


class ServiceVisitAppointmentPortal(ServiceContractPortal):
    """The customer's appointment: a visit's page on the portal, where the
    customer confirms its date or asks for another one."""

    def _visit_check_access(self, intervention_id):
        """The visit as sudo, if the logged-in customer may see it: by the
        record rules of the visit and through its contract (sent to the
        customer), as the contract's pages do. Cancelled visits are not
        shown. Anything else is None (the route answers 404: someone else's
        visit cannot be told from a missing one)."""
        try:
            visit_sudo = self._portal_record_check_access(
                "service.intervention", intervention_id
            )
            self._contract_check_access(visit_sudo.contract_id.id)
        except (AccessError, MissingError):
            return None
        if visit_sudo.state == "cancel":
            return None
        return visit_sudo

    def _render_visit_page(self, visit_sudo, **values):
        return request.render(
            "service_contract.portal_my_intervention",
            {
                **self._prepare_portal_layout_values(),
                "visit": visit_sudo,
                "page_name": "service_intervention",
                **values,
            },
        )

    @http.route(
        ["/my/interventions/<int:intervention_id>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_intervention(self, intervention_id, message=None, **kw):
        visit_sudo = self._visit_check_access(intervention_id)
        if not visit_sudo:
            return request.not_found()
        return self._render_visit_page(visit_sudo, message=message)

    def _visit_answer(self, intervention_id, action, message):
        visit_sudo = self._visit_check_access(intervention_id)
        if not visit_sudo:
            return request.not_found()
        try:
            with request.env.cr.savepoint():
                action(visit_sudo)
        except UserError as error:
            visit_sudo.invalidate_recordset()
            return self._render_visit_page(visit_sudo, error=error.args[0])
        return request.redirect(f"/my/interventions/{visit_sudo.id}?message={message}")

    @http.route(
        ["/my/interventions/<int:intervention_id>/confirm"],
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_intervention_confirm(self, intervention_id, **kw):
        """The customer confirms the date of the planned visit."""
        return self._visit_answer(
            intervention_id, lambda v: v.action_customer_confirm(), "confirmed"
        )

    @http.route(
        ["/my/interventions/<int:intervention_id>/reschedule"],
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_intervention_reschedule(self, intervention_id, note="", **kw):
        """The customer asks for another date: the visit goes back to
        planning, the office gets the note."""
        note = (note or "").strip()
        if len(note) > RESCHEDULE_NOTE_MAX:
            visit_sudo = self._visit_check_access(intervention_id)
            if not visit_sudo:
                return request.not_found()
            return self._render_visit_page(
                visit_sudo,
                error=_(
                    "Your message is too long (at most %(max)s characters).",
                    max=RESCHEDULE_NOTE_MAX,
                ),
            )
        return self._visit_answer(
            intervention_id,
            lambda v: v.action_return_to_planning(note),
            "rescheduled",
        )
