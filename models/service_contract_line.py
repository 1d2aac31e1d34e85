from odoo import api, fields, models
from odoo.exceptions import UserError


class ServiceContractLine(models.Model):
    _name = "service.contract.line"
    _description = "Service Contract Line"
    _inherit = ["service.contract.line.mixin", "service.contract.part.mixin"]
    _order = "contract_id, sequence, id"
    _check_company_auto = True

    contract_id = fields.Many2one(
        "service.contract",
        required=True,
        ondelete="cascade",
        index=True,
        check_company=True,
    )
    company_id = fields.Many2one(related="contract_id.company_id", store=True)
    currency_id = fields.Many2one(related="contract_id.currency_id")
    state = fields.Selection(related="contract_id.state")
    tax_ids = fields.Many2many(
        "account.tax",
        string="Taxes",
        compute="_compute_tax_ids",
        store=True,
        readonly=False,
        precompute=True,
        domain=[("type_tax_use", "=", "sale")],
        check_company=True,
    )

    price_subtotal = fields.Monetary(
        string="Subtotal", compute="_compute_price_subtotal", store=True
    )

    @api.depends("product_id")
    def _compute_tax_ids(self):
        for line in self:
            if line.product_id:
                company = line.company_id or self.env.company
                line.tax_ids = line.product_id.taxes_id.filtered(
                    lambda tax, c=company: tax.company_id in c.parent_ids
                )

    @api.depends("quantity", "price_unit", "discount")
    def _compute_price_subtotal(self):
        for line in self:
            line.price_subtotal = self._get_price_subtotal(
                line.quantity, line.price_unit, line.discount, line.currency_id
            )

    @api.model
    def _get_price_subtotal(self, quantity, price_unit, discount, currency):
        return currency.round(quantity * price_unit * (1 - discount / 100))

    # ------------------------------------------------------------------
    # The services of a signed contract are part of the agreement
    # (service_contract_part_mixin.py).
    # ------------------------------------------------------------------

    _contract_field = "line_ids"

    def _get_signed_contract_message(self, names):
        return self.env._(
            "The services of a signed contract cannot change: %(names)s.",
            names=names,
        )

    def write(self, vals):
        if (
            "contract_id" in vals
            and not self.env["service.contract"]._is_lifecycle_write()
        ):
            # The refusal of a signed contract comes first.
            self._check_contract_unsigned(self._get_written_contracts(vals))
            raise UserError(self.env._("A service cannot move to another contract."))
        return super().write(vals)
