from datetime import datetime, time, timedelta
from urllib.parse import quote_plus

import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError

MAP_SEARCH_URL = "https://www.openstreetmap.org/search?query="


class ServiceIntervention(models.Model):
    """A technician's day: today's visits (the company's day), with where to
    go, whom to call and when."""

    _inherit = "service.intervention"

    is_today = fields.Boolean(
        string="Today",
        compute="_compute_is_today",
        search="_search_is_today",
        help="Planned (or due, while not planned) on the company's today.",
    )
    is_upcoming = fields.Boolean(
        string="Upcoming",
        compute="_compute_is_today",
        search="_search_is_upcoming",
        help="Planned (or due) today or later.",
    )
    planned_time_display = fields.Char(
        string="Time", compute="_compute_planned_time_display"
    )
    address_display = fields.Char(
        string="Street Address", compute="_compute_address_display"
    )
    map_url = fields.Char(string="Map", compute="_compute_address_display")
    contact_id = fields.Many2one(
        "res.partner",
        compute="_compute_contact",
        help="Whom to call about the visit: the site's contact, else the site, "
        "else the customer.",
    )
    contact_phone = fields.Char(string="Phone", compute="_compute_contact")

    # ------------------------------------------------------------------
    # Today, in each company's day (res.company._service_today)
    # ------------------------------------------------------------------

    @api.model
    def _service_day_start(self, company):
        """The UTC instant (naive, as stored) at which the company's today
        starts."""
        tz = pytz.timezone(company._service_tz())
        start = tz.localize(datetime.combine(company._service_today(), time.min))
        return start.astimezone(pytz.utc).replace(tzinfo=None)

    @api.model
    def _service_day_domain(self, days):
        """Visits whose calendar date (planned start, else due date) falls
        from the start of their company's today, over ``days`` days (all later
        days if None)."""
        domains = []
        for company in self.env.companies:
            start = self._service_day_start(company)
            domain = [("company_id", "=", company.id), ("date_calendar", ">=", start)]
            if days:
                domain.append(("date_calendar", "<", start + timedelta(days=days)))
            domains.append(["&"] * (len(domain) - 1) + domain)
        if not domains:
            return [("id", "=", False)]
        return ["|"] * (len(domains) - 1) + [leaf for d in domains for leaf in d]

    def _search_day(self, operator, value, days):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on the visits' day."))
        domain = self._service_day_domain(days)
        if (operator == "=") != value:
            return ["!", *domain]  # the domain is one prefix expression
        return domain

    def _search_is_today(self, operator, value):
        return self._search_day(operator, value, 1)

    def _search_is_upcoming(self, operator, value):
        return self._search_day(operator, value, None)

    @api.depends("date_calendar", "company_id")
    def _compute_is_today(self):
        starts = {}
        for visit in self:
            company = visit.company_id or self.env.company
            if company not in starts:
                starts[company] = self._service_day_start(company)
            start = starts[company]
            when = visit.date_calendar
            visit.is_today = bool(when and start <= when < start + timedelta(days=1))
            visit.is_upcoming = bool(when and when >= start)

    # ------------------------------------------------------------------
    # What the technician reads on the card
    # ------------------------------------------------------------------

    @api.depends("date_planned_start", "date_planned_end")
    @api.depends_context("tz", "lang")
    def _compute_planned_time_display(self):
        """ "08:00 - 09:30", in the user's time zone and the time format of
        their language (as the web client shows times, without seconds)."""
        lang = self.env["res.lang"]._lang_get(self.env.lang or "en_US")
        time_format = (lang.time_format or "%H:%M").replace(":%S", "")
        for visit in self:
            times = [
                fields.Datetime.context_timestamp(visit, moment).strftime(time_format)
                for moment in (visit.date_planned_start, visit.date_planned_end)
                if moment
            ]
            visit.planned_time_display = " - ".join(times) or False

    @api.depends(
        *(
            f"{partner}.{field}"
            for partner in ("site_id", "partner_id")
            for field in ("street", "street2", "zip", "city", "country_id")
        )
    )
    def _compute_address_display(self):
        for visit in self:
            address = visit.address_id
            town = " ".join(filter(None, (address.zip, address.city)))
            lines = [line for line in (address.street, address.street2, town) if line]
            visit.address_display = ", ".join(lines) or False
            query = ", ".join(lines + [address.country_id.name or ""]).strip(", ")
            visit.map_url = lines and MAP_SEARCH_URL + quote_plus(query) or False

    @api.depends(
        "site_id.site_contact_id.phone",
        "site_id.site_contact_id.mobile",
        "site_id.phone",
        "site_id.mobile",
        "partner_id.phone",
        "partner_id.mobile",
    )
    def _compute_contact(self):
        for visit in self:
            candidates = (
                visit.site_id.site_contact_id,
                visit.site_id,
                visit.partner_id,
            )
            contact = next(
                (p for p in candidates if p and (p.phone or p.mobile)),
                candidates[0] or visit.site_id or visit.partner_id,
            )
            visit.contact_id = contact
            visit.contact_phone = contact.phone or contact.mobile or False

    def action_open_map(self):
        """The site on a map, in a new tab (the phone's maps app)."""
        self.ensure_one()
        if not self.map_url:
            raise UserError(
                self.env._("%(name)s has no street address.", name=self.name)
            )
        return {"type": "ir.actions.act_url", "url": self.map_url, "target": "new"}
