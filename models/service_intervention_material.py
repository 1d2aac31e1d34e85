from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from .service_lifecycle_guard import lifecycle_action

COST_GROUP = "service_contract.group_service_contract_user"


class ServiceInterventionMaterial(models.Model):
    """A part or consumable used on a visit, entered by the technician.

    Its cost (the product's cost in the company's currency) is read again
    when the visit is done and frozen with it; technicians never see it.
    """

    _name = "service.intervention.material"
    _description = "Intervention Part"
    _inherit = ["service.lifecycle.guard"]
    _order = "intervention_id, sequence, id"
    _check_company_auto = True

    sequence = fields.Integer(default=10)
    intervention_id = fields.Many2one(
        "service.intervention",
        required=True,
        index=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(
        related="intervention_id.company_id", store=True, index=True, precompute=True
    )
    company_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Company Currency"
    )
    product_id = fields.Many2one(
        "product.product",
        string="Part",
        required=True,
        check_company=True,
        domain="[('type', 'in', ('consu', 'service'))]",
    )
    name = fields.Char(
        string="Description",
        compute="_compute_name",
        store=True,
        readonly=False,
        precompute=True,
    )
    quantity = fields.Float(default=1.0, digits="Product Unit of Measure")
    product_uom_category_id = fields.Many2one(related="product_id.uom_id.category_id")
    product_uom_id = fields.Many2one(
        "uom.uom",
        string="Unit",
        compute="_compute_product_uom_id",
        store=True,
        readonly=False,
        precompute=True,
        domain="[('category_id', '=', product_uom_category_id)]",
    )
    is_covered = fields.Boolean(
        string="Covered",
        compute="_compute_is_covered",
        store=True,
        readonly=False,
        precompute=True,
        help="Included in the contract; otherwise the part is billable.",
    )
    cost_unit = fields.Monetary(
        string="Unit Cost",
        currency_field="company_currency_id",
        compute="_compute_cost_unit",
        store=True,
        precompute=True,
        groups=COST_GROUP,
        help="The product's cost in the company's currency, read again when "
        "the visit is done and frozen with it.",
    )
    cost_amount = fields.Monetary(
        string="Cost",
        currency_field="company_currency_id",
        compute="_compute_cost_amount",
        store=True,
        precompute=True,
        groups=COST_GROUP,
    )
    price_unit = fields.Monetary(
        string="Sales Price",
        currency_field="company_currency_id",
        compute="_compute_price_unit",
        store=True,
        readonly=False,
        precompute=True,
        groups=COST_GROUP,
        help="The product's sales price, used when the part is billed.",
    )

    @api.depends("product_id")
    def _compute_name(self):
        # In the customer's language, as a sales order line's description:
        # the visit report and the invoice of the part are theirs.
        for line in self:
            if line.product_id:
                lang = line.intervention_id.partner_id.lang or self.env.lang
                line.name = line.product_id.with_context(lang=lang).display_name

    @api.depends("product_id")
    def _compute_product_uom_id(self):
        for line in self:
            if line.product_id and (
                not line.product_uom_id
                or line.product_uom_id.category_id != line.product_id.uom_id.category_id
            ):
                line.product_uom_id = line.product_id.uom_id

    @api.depends("intervention_id")
    def _compute_is_covered(self):
        for line in self:
            line.is_covered = line.intervention_id.is_covered

    @api.depends("product_id", "product_uom_id")
    def _compute_cost_unit(self):
        # Not on the product's cost itself: a done visit keeps its costs.
        for line in self:
            line.cost_unit = line._get_product_cost()

    @api.depends("quantity", "cost_unit")
    def _compute_cost_amount(self):
        for line in self:
            line.cost_amount = line.company_currency_id.round(
                line.quantity * line.cost_unit
            )

    @api.depends("product_id", "product_uom_id")
    def _compute_price_unit(self):
        for line in self:
            product = line.product_id.with_company(line.company_id)
            if not product:
                line.price_unit = 0.0
                continue
            price = product.sudo().lst_price
            if line.product_uom_id and line.product_uom_id != product.uom_id:
                price = product.uom_id._compute_price(price, line.product_uom_id)
            line.price_unit = price

    @api.constrains("quantity")
    def _check_quantity(self):
        for line in self:
            if line.quantity <= 0:
                raise ValidationError(
                    self.env._(
                        "%(part)s on %(name)s: the quantity must be positive "
                        "(%(quantity)s).",
                        part=line.name or line.product_id.display_name,
                        name=line.intervention_id.name,
                        quantity=line.quantity,
                    )
                )

    # ------------------------------------------------------------------
    # Guarded fields: the parts of a done or cancelled visit are frozen.
    # ------------------------------------------------------------------

    def _get_lifecycle_actions(self):
        return (*super()._get_lifecycle_actions(), "_freeze_cost_unit")

    def _get_create_only_fields(self):
        return ("intervention_id",)

    def _get_frozen_fields(self):
        return (
            "product_id",
            "name",
            "quantity",
            "product_uom_id",
            "is_covered",
            "cost_unit",
        )

    def _is_frozen(self):
        self.ensure_one()
        return self.intervention_id.state in ("done", "cancel")

    def _get_frozen_message(self, labels):
        return self.env._(
            "The parts of done or cancelled visits cannot change (%(fields)s): "
            "%(names)s",
            fields=labels,
            names=", ".join(self.intervention_id.mapped("name")),
        )

    def _check_closed_interventions(self, interventions):
        closed = interventions.filtered(lambda i: i.state in ("done", "cancel"))
        if closed and not self._is_lifecycle_write():
            raise UserError(
                self.env._(
                    "Parts cannot be added to or removed from done or cancelled "
                    "visits: %(names)s",
                    names=", ".join(closed.mapped("name")),
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        self._check_closed_interventions(
            self.env["service.intervention"].browse(
                {
                    vals["intervention_id"]
                    for vals in vals_list
                    if "intervention_id" in vals
                }
            )
        )
        return super().create(vals_list)

    def write(self, vals):
        self._check_lifecycle_write(vals)
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_closed_intervention(self):
        self._check_closed_interventions(self.intervention_id)

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _get_product_cost(self):
        """The product's cost in the unit of the line, company currency."""
        self.ensure_one()
        product = self.product_id.with_company(self.company_id)
        if not product:
            return 0.0
        cost = product.sudo().standard_price
        if self.product_uom_id and self.product_uom_id != product.uom_id:
            cost = product.uom_id._compute_price(cost, self.product_uom_id)
        return cost

    @lifecycle_action
    def _freeze_cost_unit(self):
        """The visit is done: its parts are valued at today's product cost."""
        for line in self.sudo():
            line.cost_unit = line._get_product_cost()
