from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL, format_date


class ServicePriceIndexValue(models.Model):
    """The value of an index for one month. The month is stored as its first
    day, whatever day is entered or imported."""

    _name = "service.price.index.value"
    _description = "Price Index Value"
    _order = "index_id, date desc"
    _rec_name = "date"

    index_id = fields.Many2one(
        "service.price.index",
        required=True,
        ondelete="cascade",
        index=True,
    )
    date = fields.Date(
        string="Month",
        required=True,
        help="The month of the value, stored as its first day.",
    )
    value = fields.Float(required=True, digits=(16, 4))

    _sql_constraints = [
        (
            "index_date_uniq",
            "unique(index_id, date)",
            "An index has only one value per month.",
        ),
        ("value_positive", "CHECK(value > 0)", "An index value must be positive."),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._normalise_vals(vals)
        self._check_values_positive(vals_list)
        self._check_months_free(
            [(vals.get("index_id"), vals.get("date")) for vals in vals_list]
        )
        return super().create(vals_list)

    def write(self, vals):
        self._normalise_vals(vals)
        self._check_values_positive([vals])
        if "index_id" in vals or "date" in vals:
            self._check_months_free(
                [
                    (
                        vals.get("index_id", record.index_id.id),
                        vals.get("date", record.date),
                    )
                    for record in self
                ],
                exclude=self,
            )
        return super().write(vals)

    @api.model
    def _normalise_vals(self, vals):
        """The first day of the month, whatever day was given."""
        if vals.get("date"):
            vals["date"] = fields.Date.to_date(vals["date"]).replace(day=1)

    @api.model
    def _check_values_positive(self, vals_list):
        """Refused before anything is written, with the same message as the
        constraint (the database would refuse it too, less clearly)."""
        for vals in vals_list:
            if "value" in vals and (vals["value"] or 0.0) <= 0:
                raise ValidationError(
                    self.env._(
                        "An index value must be greater than zero (%(value)s given).",
                        value=vals["value"] or 0.0,
                    )
                )

    def _check_months_free(self, pairs, exclude=None):
        """One value per index and month: refused with a clear message before
        the database's unique constraint (which still guards concurrency)."""
        pairs = [(index_id, date) for index_id, date in pairs if index_id and date]
        if not pairs:
            return
        seen = set()
        for pair in pairs:
            if pair in seen:
                self._raise_month_taken(*pair)
            seen.add(pair)
        existing = self._get_values(pairs, exclude=exclude)
        if existing:
            self._raise_month_taken(*next(iter(existing)))

    def _raise_month_taken(self, index_id, month):
        index = self.env["service.price.index"].browse(index_id)
        raise ValidationError(
            self.env._(
                "The index %(index)s already has a value for %(month)s.",
                index=index.display_name,
                month=format_date(self.env, month, date_format="MMMM y"),
            )
        )

    @api.model
    def _get_values(self, pairs, exclude=None):
        """{(index_id, day): value} of the month of each given (index_id, day),
        in one query whatever their number; unknown months are left out.

        :param pairs: iterable of (index id, date), usually first days
        :param exclude: values to ignore (those being changed)
        """
        months = self._months_of(pairs)
        self.check_access("read")
        if not months:
            return {}
        self.flush_model(["index_id", "date", "value"])
        index_ids, month_days = zip(*set(months.values()), strict=True)
        self.env.cr.execute(
            SQL(
                """
                SELECT v.index_id, v.date, v.value
                  FROM service_price_index_value v
                  JOIN unnest(%s::int[], %s::date[]) AS p(index_id, date)
                    ON p.index_id = v.index_id AND p.date = v.date
                 WHERE v.id != ALL(%s::int[])
                """,
                list(index_ids),
                list(month_days),
                list(exclude.ids if exclude else []),
            )
        )
        found = {
            (index_id, month): value
            for index_id, month, value in self.env.cr.fetchall()
        }
        return {pair: found[month] for pair, month in months.items() if month in found}

    @api.model
    def _get_last_values(self, pairs):
        """{(index_id, day): (month, value)} of the last value whose month is
        on or before each given day, in one query; indices with no value by
        then are left out (the batched ``index._get_last_value(day)``)."""
        pairs = {
            (index_id, fields.Date.to_date(day))
            for index_id, day in pairs
            if index_id and day
        }
        self.check_access("read")
        if not pairs:
            return {}
        self.flush_model(["index_id", "date", "value"])
        index_ids, days = zip(*pairs, strict=True)
        self.env.cr.execute(
            SQL(
                """
                SELECT p.index_id, p.day, v.date, v.value
                  FROM unnest(%s::int[], %s::date[]) AS p(index_id, day)
                  CROSS JOIN LATERAL (
                        SELECT date, value
                          FROM service_price_index_value
                         WHERE index_id = p.index_id AND date <= p.day
                         ORDER BY date DESC
                         LIMIT 1
                  ) v
                """,
                list(index_ids),
                list(days),
            )
        )
        return {
            (index_id, day): (month, value)
            for index_id, day, month, value in self.env.cr.fetchall()
        }

    @api.model
    def _months_of(self, pairs):
        """{(index_id, day): (index_id, first day of its month)}."""
        months = {}
        for index_id, day in pairs:
            if index_id and day:
                day = fields.Date.to_date(day)
                months[index_id, day] = (index_id, day.replace(day=1))
        return months

    @api.model
    def get_import_templates(self):
        template = "/service_contract/static/xls/service_price_index_value.csv"
        return [
            {
                "label": self.env._("Import Template for Price Index Values"),
                "template": template,
            }
        ]
