"""Costs of a visit: the technician's time, the parts and the travel.

Computed when the visit is done and frozen with it: a later change of a
product's cost or of an hourly cost leaves done visits as they were. Cost
fields are for contract users only; technicians never see them.
"""

from odoo import fields, models

from .service_intervention_material import COST_GROUP

COST_FIELDS = ("cost_labour", "cost_material", "cost_travel", "cost_total")


def _own_cost_field(string, help):
    """The cost of a user or a site in the current company, overriding the
    company's (empty: the company's)."""
    return fields.Float(
        string=string,
        company_dependent=True,
        digits="Product Price",
        groups=COST_GROUP,
        help=help,
    )


def _visit_cost_field(string, help=None):
    """A cost of the visit, in the company's currency, written when the
    visit is done."""
    return fields.Monetary(
        string=string,
        currency_field="company_currency_id",
        readonly=True,
        copy=False,
        groups=COST_GROUP,
        help=help,
    )


class ResCompany(models.Model):
    _inherit = "res.company"

    service_hourly_cost = fields.Monetary(
        string="Technicians' Hourly Cost",
        currency_field="currency_id",
        help="Cost of an hour of a technician's time, unless the technician "
        "has their own hourly cost.",
    )
    service_travel_cost = fields.Monetary(
        string="Travel Cost per Visit",
        currency_field="currency_id",
        help="Flat travel cost of a visit, unless the site has its own.",
    )


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    service_hourly_cost = fields.Monetary(
        related="company_id.service_hourly_cost",
        currency_field="currency_id",
        readonly=False,
    )
    service_travel_cost = fields.Monetary(
        related="company_id.service_travel_cost",
        currency_field="currency_id",
        readonly=False,
    )


class ResUsers(models.Model):
    _inherit = "res.users"

    service_hourly_cost = _own_cost_field(
        "Hourly Cost",
        help="Cost of an hour of this technician's time in the current "
        "company's currency, used to value their visits. Empty: the "
        "company's hourly cost.",
    )


class ResPartner(models.Model):
    _inherit = "res.partner"

    service_travel_cost = _own_cost_field(
        "Travel Cost per Visit",
        help="Flat travel cost of a visit to this site in the current "
        "company's currency. Empty: the company's travel cost.",
    )


class ServiceIntervention(models.Model):
    _inherit = "service.intervention"

    material_line_ids = fields.One2many(
        "service.intervention.material",
        "intervention_id",
        string="Parts",
        copy=True,
    )
    company_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Company Currency"
    )
    cost_labour = _visit_cost_field(
        "Labour Cost", help="Time spent, valued at the technician's hourly cost."
    )
    cost_material = _visit_cost_field(
        "Parts Cost", help="All the parts used, covered or not, at their cost."
    )
    cost_travel = _visit_cost_field("Travel Cost")
    cost_total = _visit_cost_field(
        "Total Cost", help="Labour, parts and travel, computed when the visit is done."
    )

    def _get_action_fields(self):
        return super()._get_action_fields() + COST_FIELDS

    def _get_technician_fields(self):
        # Technicians record the parts they used on their visits.
        return super()._get_technician_fields() + ("material_line_ids",)

    def _on_done(self):
        res = super()._on_done()
        self._freeze_costs()
        return res

    def _freeze_costs(self):
        """Value the visits' time, parts and travel at today's costs."""
        self.material_line_ids._freeze_cost_unit()
        for intervention in self:
            # Technicians mark their visits as done but never see costs.
            intervention.sudo().write(intervention._prepare_cost_vals())

    def _get_own_or_company_cost(self, record, field_name):
        """``record``'s own cost ``field_name`` in the visit's company (read
        as superuser: technicians never see costs), else the company's."""
        self.ensure_one()
        own = record.with_company(self.company_id).sudo()[field_name]
        return own or self.company_id[field_name]

    def _get_hourly_cost(self):
        """The technician's hourly cost in the visit's company, else the
        company's."""
        return self._get_own_or_company_cost(self.user_id, "service_hourly_cost")

    def _get_travel_cost(self):
        """The site's travel cost in the visit's company, else the company's."""
        return self._get_own_or_company_cost(self.site_id, "service_travel_cost")

    def _prepare_cost_vals(self):
        """Labour, parts and travel, each rounded in the company's currency,
        and their total."""
        self.ensure_one()
        currency = self.company_id.currency_id
        costs = {
            "cost_labour": self.duration_actual * self._get_hourly_cost(),
            "cost_material": sum(self.sudo().material_line_ids.mapped("cost_amount")),
            "cost_travel": self._get_travel_cost(),
        }
        vals = {name: currency.round(amount) for name, amount in costs.items()}
        vals["cost_total"] = sum(vals.values())
        return vals
