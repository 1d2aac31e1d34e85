from dateutil.relativedelta import relativedelta

from odoo import fields, models


class ServicePriceIndex(models.Model):
    """Demo data only (demo/service_price_index_demo.xml)."""

    _inherit = "service.price.index"

    def _demo_create_values(self, anchors):
        """Monthly values from a few known months, linear in between (rounded
        to one decimal, as published); months already known are kept.

        :param anchors: {"YYYY-MM": value}, at least two months
        """
        self.ensure_one()
        points = sorted(
            (fields.Date.to_date(f"{month}-01"), value)
            for month, value in anchors.items()
        )
        values = {}
        for (start, first), (end, last) in zip(points, points[1:], strict=False):
            months = (end.year - start.year) * 12 + end.month - start.month
            for step in range(months + 1):
                month = start + relativedelta(months=step)
                values[month] = round(first + (last - first) * step / months, 1)
        Value = self.env["service.price.index.value"]
        existing = Value._get_values((self.id, month) for month in values)
        Value.create(
            [
                {"index_id": self.id, "date": month, "value": value}
                for month, value in sorted(values.items())
                if (self.id, month) not in existing
            ]
        )

    def _demo_extend_values(self, monthly_rate):
        """Continue the values of these indices up to last month, growing by
        ``monthly_rate`` a month (0.002 = 0.2 %), so that a demo installed
        later still finds the values its contracts' revisions read."""
        last_month = fields.Date.today().replace(day=1) - relativedelta(months=1)
        vals_list = []
        for index in self:
            month, value = index._get_last_value(last_month)
            if not month:
                continue
            while month < last_month:
                month += relativedelta(months=1)
                value *= 1 + monthly_rate
                vals_list.append(
                    {"index_id": index.id, "date": month, "value": round(value, 1)}
                )
        self.env["service.price.index.value"].create(vals_list)
