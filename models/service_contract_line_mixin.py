from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ServiceContractLineMixin(models.AbstractModel):
    """A service line: what is delivered, how much of it, at what price."""

    _name = "service.contract.line.mixin"
    _description = "Service Contract Line"
    _order = "sequence, id"

    sequence = fields.Integer(default=10)
    product_id = fields.Many2one(
        "product.product",
        string="Service",
        domain=[("sale_ok", "=", True)],
        check_company=True,
    )
    name = fields.Text(
        string="Description",
        compute="_compute_name",
        store=True,
        readonly=False,
        precompute=True,
    )
    quantity = fields.Float(default=1.0, digits="Product Unit of Measure")
    price_unit = fields.Float(
        string="Unit Price",
        digits="Product Price",
        compute="_compute_price_unit",
        store=True,
        readonly=False,
        precompute=True,
    )

    discount = fields.Float(string="Discount (%)", digits="Discount")

    @api.depends("product_id")
    def _compute_name(self):
        for line in self:
            if line.product_id:
                line.name = line.product_id.get_product_multiline_description_sale()

    @api.depends("product_id")
    def _compute_price_unit(self):
        for line in self:
            if line.product_id:
                line.price_unit = line.product_id.lst_price

    @api.constrains("product_id", "name")
    def _check_product_or_name(self):
        for line in self:
            if not line.product_id and not (line.name or "").strip():
                raise ValidationError(
                    self.env._("A service line needs a product or a description.")
                )

    @api.constrains("quantity", "price_unit", "discount")
    def _check_amounts(self):
        for line in self:
            if (
                line.quantity < 0
                or line.price_unit < 0
                or not (0 <= line.discount <= 100)
            ):
                raise ValidationError(
                    self.env._(
                        "Quantities and unit prices of service lines cannot be "
                        "negative, and discounts are between 0 and 100%% "
                        "(%(line)s).",
                        line=line.name or line.product_id.display_name,
                    )
                )

    @api.model
    def _get_copied_line_fields(self):
        """Fields copied from a template line to a contract line."""
        return [
            "sequence",
            "product_id",
            "name",
            "quantity",
            "price_unit",
            "discount",
        ]
