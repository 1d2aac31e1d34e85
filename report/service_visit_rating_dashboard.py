from dateutil.relativedelta import relativedelta

from odoo import fields, models
from odoo.tools import SQL
from odoo.tools.misc import formatLang

from odoo.addons.rating.models.rating_data import RATING_LIMIT_SATISFIED

RATING_MONTHS = 12


class ServiceContractDashboard(models.Model):
    """The customers' ratings of their visits (1 to 5) on the dashboard:
    the share of satisfied ratings (4 or 5) given over the last 12 months."""

    _inherit = "service.contract.dashboard"

    tile = fields.Selection(
        selection_add=[("visit_rating", "Visit Satisfaction Over 12 Months")]
    )

    def _get_tile_selects(self):
        return super()._get_tile_selects() + [
            ("visit_rating", self._select_visit_rating())
        ]

    def _select_visit_rating(self):
        """record_count: the satisfied share in percent; secondary: the
        ratings given; amount_secondary: their average."""
        ratings = SQL(
            """SELECT r.id, i.company_id, r.rating, r.write_date
                 FROM rating_rating r
                 JOIN service_intervention i ON i.id = r.res_id
                WHERE r.res_model = 'service.intervention'
                  AND r.consumed AND r.rating >= 1"""
        )
        return self._select_tile(
            ratings,
            "r",
            SQL(
                "r.write_date >= d.today - make_interval(months => %s)",
                RATING_MONTHS,
            ),
            SQL(
                "ROUND(100.0 * COUNT(r.id) FILTER (WHERE r.rating >= %s)"
                " / NULLIF(COUNT(r.id), 0))::integer",
                RATING_LIMIT_SATISFIED,
            ),
            SQL("COUNT(r.id)"),
            amount_secondary=SQL("AVG(r.rating)"),
        )

    def _get_tile_description(self):
        if self.tile != "visit_rating":
            return super()._get_tile_description()
        _ = self.env._
        if not self.record_count_secondary:
            return _("No visit rated yet.")
        average = formatLang(self.env, self.amount_secondary, digits=1)
        if self.record_count_secondary == 1:
            return _("1 rating, %(average)s / 5.", average=average)
        return _(
            "%(count)s ratings, %(average)s / 5 on average.",
            count=self.record_count_secondary,
            average=average,
        )

    def _action_visit_rating(self):
        """The ratings given over 12 months to the company's visits."""
        since = self._today() - relativedelta(months=RATING_MONTHS)
        visits = self.env["service.intervention"]._search(self._company_domain())
        return {
            "res_model": "rating.rating",
            "views": [(False, "list"), (False, "kanban"), (False, "form")],
            "domain": [
                ("res_model", "=", "service.intervention"),
                ("res_id", "in", visits),
                ("consumed", "=", True),
                ("rating", ">=", 1),
                ("write_date", ">=", fields.Datetime.to_string(since)),
            ],
            "context": {"group_by": []},
        }
