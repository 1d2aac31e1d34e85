import logging

from odoo import api, models
from odoo.exceptions import UserError

_logger = logging.getLogger(__name__)


class ServiceIntervention(models.Model):
    _inherit = "service.intervention"

    @api.model
    def _planning_domain(self, date_from, date_to):
        """The visits the planner places in [date_from, date_to]: to plan,
        whose window (else due date) meets the range, not held for
        non-payment, of a running contract that is not suspended."""
        return [
            ("state", "=", "to_plan"),
            ("dunning_held", "=", False),
            ("contract_id.state", "=", "running"),
            ("contract_id.dunning_suspended", "=", False),
            "|",
            ("date_window_start", "<=", date_to),
            "&",
            ("date_window_start", "=", False),
            ("date_due", "<=", date_to),
            "|",
            ("date_window_end", ">=", date_from),
            "&",
            ("date_window_end", "=", False),
            ("date_due", ">=", date_from),
        ]

    def _planning_window(self):
        """The days the visit may be done: (first, last)."""
        self.ensure_one()
        return (
            self.date_window_start or self.date_due,
            self.date_window_end or self.date_due,
        )

    def _planning_geocode(self):
        """Geocode the places of these visits that have no coordinates yet
        (the site, else the customer), with Odoo's geocoder when the
        database has one configured (Settings > Integrations > Geo
        Localization). The coordinates are stored on the partner, so each
        address is looked up once; an address the geocoder cannot find, or
        a geocoder that fails, leaves the visit out with its reason."""
        provider = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("base_geolocalize.geo_provider")
        )
        if not provider:
            return
        partners = self.env["res.partner"].sudo()
        for visit in self:
            place = (visit.site_id or visit.partner_id).sudo()
            if place and not (place.partner_latitude or place.partner_longitude):
                partners |= place
        for partner in partners:
            try:
                partner.geo_localize()
            except UserError as error:  # the geocoder could not be reached
                _logger.warning("Geocoding %s failed: %s", partner.display_name, error)
                return

    def _planning_location(self):
        """(latitude, longitude) of where the technician goes, or None."""
        self.ensure_one()
        for partner in (self.site_id, self.partner_id):
            partner = partner.sudo()
            if partner and (partner.partner_latitude or partner.partner_longitude):
                return (partner.partner_latitude, partner.partner_longitude)
        return None
