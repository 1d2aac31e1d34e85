from odoo import api, fields, models
from odoo.exceptions import UserError


class ServiceContractAmendmentLine(models.Model):
    """A service as an amendment leaves it: changed, new or removed."""

    _name = "service.contract.amendment.line"
    _description = "Contract Amendment Line"
    _inherit = ["service.contract.line.mixin"]
    _order = "amendment_id, sequence, id"
    _check_company_auto = True

    amendment_id = fields.Many2one(
        "service.contract.amendment",
        required=True,
        ondelete="cascade",
        index=True,
    )
    company_id = fields.Many2one(related="amendment_id.company_id", store=True)
    currency_id = fields.Many2one(related="amendment_id.currency_id")
    contract_line_id = fields.Many2one(
        "service.contract.line",
        string="Current Service",
        ondelete="set null",
        check_company=True,
        help="The service of the contract this line changes; empty for a new "
        "service.",
    )
    remove = fields.Boolean(help="The service ends on the effective date.")
    quantity_before = fields.Float(digits="Product Unit of Measure", readonly=True)
    price_before = fields.Float(
        string="Unit Price Before", digits="Product Price", readonly=True
    )
    price_subtotal = fields.Monetary(
        string="Subtotal", compute="_compute_price_subtotal", store=True
    )
    change = fields.Selection(
        [
            ("new", "New service"),
            ("remove", "Removed"),
            ("change", "Changed"),
            ("same", "Unchanged"),
        ],
        compute="_compute_change",
    )

    @api.depends("quantity", "price_unit", "discount")
    def _compute_price_subtotal(self):
        for line in self:
            line.price_subtotal = line.currency_id.round(
                line.quantity * line.price_unit * (1 - line.discount / 100)
            )

    @api.depends(
        "contract_line_id",
        "remove",
        "quantity",
        "price_unit",
        "quantity_before",
        "price_before",
    )
    def _compute_change(self):
        """Against the service as it was when the amendment was drawn up
        (``quantity_before``, ``price_before``), so that a signed amendment
        still says what it changed."""
        for line in self:
            if line.remove:
                line.change = "remove" if line.contract_line_id else "same"
            elif not line.contract_line_id:
                line.change = "new"
            elif (
                line.quantity != line.quantity_before
                or line.price_unit != line.price_before
            ):
                line.change = "change"
            else:
                line.change = "same"

    def _prepare_contract_line_vals(self):
        self.ensure_one()
        return {
            name: self[name].id if name == "product_id" else self[name]
            for name in self._get_copied_line_fields()
        }

    # ------------------------------------------------------------------
    # The lines of an amendment sent or signed are part of its document.
    # ------------------------------------------------------------------

    def _check_amendment_draft(self, amendments):
        if self.env["service.contract.amendment"]._is_lifecycle_write():
            return
        sent = amendments.filtered(lambda a: a.state != "draft")
        if sent:
            raise UserError(
                self.env._(
                    "The services of an amendment sent for signature, signed or "
                    "cancelled cannot change: %(names)s",
                    names=", ".join(sent.mapped("name")),
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        self._check_amendment_draft(
            self.env["service.contract.amendment"].browse(
                [vals["amendment_id"] for vals in vals_list if vals.get("amendment_id")]
            )
        )
        return super().create(vals_list)

    def write(self, vals):
        self._check_amendment_draft(self.amendment_id)
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_sent(self):
        self._check_amendment_draft(self.amendment_id)
