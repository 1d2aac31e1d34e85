from odoo import api, fields, models


class ServicePriceIndex(models.Model):
    """A published price index (Syntec, BT01, engineering...) with its monthly
    values: the I and I0 of a revision clause P = P0 x (a + b x I/I0)."""

    _name = "service.price.index"
    _description = "Price Index"
    _order = "code, id"
    _rec_names_search = ["code", "name"]

    name = fields.Char(required=True)
    code = fields.Char(
        required=True,
        help="Short reference used in clauses and in imports, e.g. SYNTEC or BT01.",
    )
    idbank = fields.Char(
        string="INSEE idbank",
        help="Identifier of the series in INSEE's macro-economic database (BDM), "
        "used to fetch the values.",
    )
    unit = fields.Char(help="Unit of the values, e.g. points.")
    base = fields.Char(help="Reference of the index, e.g. base 100 en 2010.")
    active = fields.Boolean(default=True)
    value_ids = fields.One2many(
        "service.price.index.value", "index_id", string="Values"
    )
    value_count = fields.Integer(compute="_compute_last_value")
    last_value_date = fields.Date(string="Last Month", compute="_compute_last_value")
    last_value = fields.Float(digits=(16, 4), compute="_compute_last_value")

    _sql_constraints = [
        ("code_uniq", "unique(code)", "Two price indices cannot have the same code."),
    ]

    @api.depends("value_ids.date", "value_ids.value")
    def _compute_last_value(self):
        """Last month known and its value: two queries whatever the number of
        indices."""
        Value = self.env["service.price.index.value"]
        groups = Value._read_group(
            [("index_id", "in", self._origin.ids)],
            ["index_id"],
            ["date:max", "__count"],
        )
        last_dates = {index.id: (last, count) for index, last, count in groups}
        values = Value._get_values(
            (index_id, last) for index_id, (last, _count) in last_dates.items()
        )
        for index in self:
            last, count = last_dates.get(index._origin.id, (False, 0))
            index.last_value_date = last
            index.last_value = values.get((index._origin.id, last), 0.0)
            index.value_count = count

    def _get_last_value(self, date):
        """(month, value) of the last value whose month is on or before
        ``date``, or (False, False) when none is known yet."""
        self.ensure_one()
        if not date:
            return False, False
        date = fields.Date.to_date(date)
        values = self.env["service.price.index.value"]._get_last_values(
            [(self.id, date)]
        )
        return values.get((self.id, date), (False, False))
