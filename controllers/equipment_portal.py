from odoo import http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

from .portal import ServiceContractPortal


class ServiceEquipmentPortal(ServiceContractPortal):
    """Customer portal: the customer's equipment and the visits done on it."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "service_equipment_count" in counters:
            Equipment = request.env["service.equipment"]
            values["service_equipment_count"] = (
                Equipment.search_count(self._prepare_equipment_domain(), limit=1)
                if Equipment.has_access("read")
                else 0
            )
        return values

    def _prepare_equipment_domain(self):
        partner = self._portal_customer()
        return [("partner_id", "child_of", partner.ids)]

    def _equipment_check_access(self, equipment_id):
        """The item as sudo if the user may read it (record rules: its own
        customer's items only); AccessError or MissingError otherwise, both
        answered by a 404: the same whether it does not exist or belongs to
        someone else."""
        equipment_sudo = self._portal_record_check_access(
            "service.equipment", equipment_id
        )
        customer = self._portal_customer()
        if equipment_sudo.partner_id.commercial_partner_id != customer:
            raise MissingError(request.env._("This equipment is not available."))
        return equipment_sudo

    @http.route(
        ["/my/equipment", "/my/equipment/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_equipment(self, page=1, **kw):
        values, equipment = self._prepare_list_values(
            "service.equipment",
            self._prepare_equipment_domain(),
            "/my/equipment",
            page,
            "site_id, name, id",
        )
        values.update(
            {"equipment_items": equipment.sudo(), "page_name": "service_equipment"}
        )
        return request.render("service_contract.portal_my_equipment", values)

    @http.route(
        ["/my/equipment/<int:equipment_id>"], type="http", auth="user", website=True
    )
    def portal_equipment_page(self, equipment_id, **kw):
        try:
            equipment_sudo = self._equipment_check_access(equipment_id)
        except (AccessError, MissingError) as error:
            raise request.not_found() from error
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "equipment": equipment_sudo,
                "page_name": "service_equipment",
                # Only this customer's: an item may change hands.
                "done_visits": equipment_sudo.intervention_ids.filtered(
                    lambda i, c=equipment_sudo.partner_id.commercial_partner_id: (
                        i.state == "done" and i.partner_id.commercial_partner_id == c
                    )
                ).sorted("date_done", reverse=True),
            }
        )
        return request.render("service_contract.portal_equipment_page", values)
