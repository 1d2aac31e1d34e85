import logging

import psycopg2

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..planning.travel import OsrmProvider, TravelError, straight_line_minutes

_logger = logging.getLogger(__name__)

# The visit planner's time limit (s): an Odoo worker is killed after
# limit_time_real (120 s by default), building and reading the plan included.
MAX_PLANNING_TIME_LIMIT = 90
# Cached points are rounded to 5 decimals (about 1 m).
COORDINATE_DIGITS = 5
OSRM_TIMEOUT = 20


def _key(value):
    """A coordinate as the cache's integer key (degrees x 10^5)."""
    return round(value * 10**COORDINATE_DIGITS)


class ServiceTravelTime(models.Model):
    """Driving times from the routing server, kept to ask it only once per
    pair of places. Written by the planner only (sudo)."""

    _name = "service.travel.time"
    _description = "Travel Time Between Two Places"
    _log_access = False

    provider = fields.Selection([("osrm", "OSRM")], required=True, default="osrm")
    from_lat = fields.Integer(string="From Latitude (x 10^5)", required=True)
    from_lon = fields.Integer(string="From Longitude (x 10^5)", required=True)
    to_lat = fields.Integer(string="To Latitude (x 10^5)", required=True)
    to_lon = fields.Integer(string="To Longitude (x 10^5)", required=True)
    minutes = fields.Integer(required=True)

    _sql_constraints = [
        (
            "pair_unique",
            "UNIQUE(provider, from_lat, from_lon, to_lat, to_lon)",
            "A travel time is cached once per pair of places.",
        )
    ]


class ResCompany(models.Model):
    _inherit = "res.company"

    service_travel_provider = fields.Selection(
        [("straight", "Straight Line"), ("osrm", "OSRM Server")],
        string="Travel Times",
        default="straight",
        required=True,
        help="How the visit planner estimates driving times: the straight "
        "line distance times the road factor at the average speed, or the "
        "driving times of an OSRM routing server.",
    )
    service_road_factor = fields.Float(
        string="Road Factor",
        default=1.3,
        digits=(3, 2),
        help="Road distance / straight line distance (1.3 in most towns).",
    )
    service_average_speed = fields.Integer(
        string="Average Speed (km/h)",
        default=50,
    )
    service_osrm_url = fields.Char(
        string="OSRM Server",
        help="For example https://router.project-osrm.org (its table service "
        "is asked once per pair of places, then cached).",
    )
    service_planning_time_limit = fields.Integer(
        string="Planning Time Limit (s)",
        default=30,
        help="Seconds the visit planner searches for a better plan.",
    )

    @api.constrains(
        "service_planning_time_limit", "service_road_factor", "service_average_speed"
    )
    def _check_service_planning_settings(self):
        for company in self:
            if not 1 <= company.service_planning_time_limit <= MAX_PLANNING_TIME_LIMIT:
                raise ValidationError(
                    self.env._(
                        "%(company)s: the planning time limit must be between "
                        "1 and %(max)s seconds (%(value)s).",
                        company=company.name,
                        max=MAX_PLANNING_TIME_LIMIT,
                        value=company.service_planning_time_limit,
                    )
                )
            if company.service_road_factor < 1 or company.service_average_speed < 1:
                raise ValidationError(
                    self.env._(
                        "%(company)s: the road factor must be at least 1 and the "
                        "average speed at least 1 km/h.",
                        company=company.name,
                    )
                )

    def _get_service_straight_line_matrix(self, points):
        self.ensure_one()
        return straight_line_minutes(
            points, self.service_road_factor, self.service_average_speed
        )

    def _get_service_travel_matrix(self, points):
        """Minutes between the points [(latitude, longitude), ...]: straight
        line, or OSRM with its answers cached (straight line if it fails)."""
        self.ensure_one()
        if self.service_travel_provider != "osrm" or not self.service_osrm_url:
            return self._get_service_straight_line_matrix(points)
        keys = [(_key(lat), _key(lon)) for lat, lon in points]
        Cache = self.env["service.travel.time"].sudo()
        lats, lons = {k[0] for k in keys}, {k[1] for k in keys}
        cached = {
            (c.from_lat, c.from_lon, c.to_lat, c.to_lon): c.minutes
            for c in Cache.search_fetch(
                [
                    ("provider", "=", "osrm"),
                    ("from_lat", "in", list(lats)),
                    ("from_lon", "in", list(lons)),
                    ("to_lat", "in", list(lats)),
                    ("to_lon", "in", list(lons)),
                ],
                ["from_lat", "from_lon", "to_lat", "to_lon", "minutes"],
            )
        }
        missing = {
            (a, b) for a in keys for b in keys if a != b and (*a, *b) not in cached
        }
        if missing:
            involved = {k for pair in missing for k in pair}
            unique = [k for k in dict.fromkeys(keys) if k in involved]
            try:
                table = OsrmProvider(self.service_osrm_url, OSRM_TIMEOUT).table(
                    [
                        (lat / 10**COORDINATE_DIGITS, lon / 10**COORDINATE_DIGITS)
                        for lat, lon in unique
                    ]
                )
            except TravelError as exc:
                _logger.warning("Travel times: straight line, %s", exc)
                return self._get_service_straight_line_matrix(points)
            where = {k: i for i, k in enumerate(unique)}
            values = []
            for a, b in sorted(missing):
                minutes = table[where[a]][where[b]]
                cached[(*a, *b)] = minutes
                values.append(
                    {
                        "from_lat": a[0],
                        "from_lon": a[1],
                        "to_lat": b[0],
                        "to_lon": b[1],
                        "minutes": minutes,
                    }
                )
            try:
                with self.env.cr.savepoint():
                    Cache.create(values)
            except psycopg2.IntegrityError:
                # Another planner cached them meanwhile: same answers.
                _logger.info("Travel times already cached by another transaction")
        return [[cached.get((*a, *b), 0) for b in keys] for a in keys]


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    service_travel_provider = fields.Selection(
        related="company_id.service_travel_provider", readonly=False
    )
    service_road_factor = fields.Float(
        related="company_id.service_road_factor", readonly=False
    )
    service_average_speed = fields.Integer(
        related="company_id.service_average_speed", readonly=False
    )
    service_osrm_url = fields.Char(
        related="company_id.service_osrm_url", readonly=False
    )
    service_planning_time_limit = fields.Integer(
        related="company_id.service_planning_time_limit", readonly=False
    )
