from odoo import api, fields, models

from .price_revision import month_start


class ServiceRevisionTerm(models.Model):
    """One index of a price revision clause, with its weight b_i."""

    _name = "service.revision.term"
    _description = "Price Revision Index"
    _inherit = ["service.contract.part.mixin"]
    _order = "sequence, id"

    sequence = fields.Integer(default=10)
    template_id = fields.Many2one(
        "service.contract.template", ondelete="cascade", index="btree_not_null"
    )
    contract_id = fields.Many2one(
        "service.contract", ondelete="cascade", index="btree_not_null"
    )
    index_id = fields.Many2one(
        "service.price.index", required=True, ondelete="restrict"
    )
    weight = fields.Float(
        string="Weight (b)",
        digits=(16, 6),
        required=True,
        help="Share of the price that follows this index: b in "
        "P = P0 x (a + b x I / I0).",
    )
    base_value = fields.Float(
        string="Base Value (I0)",
        digits=(16, 4),
        compute="_compute_base_value",
        help="Value of the index for the base month of the clause.",
    )

    _sql_constraints = [
        (
            "one_owner",
            "CHECK((template_id IS NULL) != (contract_id IS NULL))",
            "A price revision index belongs to a template or to a contract.",
        ),
    ]

    @api.depends(
        "index_id",
        "template_id.revision_base_date",
        "contract_id.revision_base_date",
    )
    def _compute_base_value(self):
        months = {
            term: month_start(base_date)
            for term in self
            for base_date in [(term.contract_id or term.template_id).revision_base_date]
            if base_date and term.index_id
        }
        values = self.env["service.price.index.value"]._get_values(
            {(term.index_id.id, month) for term, month in months.items()}
        )
        for term in self:
            month = months.get(term)
            term.base_value = values.get((term.index_id.id, month), 0.0)

    @api.constrains("index_id", "weight")
    def _check_clause(self):
        """A term changed alone still leaves a valid clause."""
        self.template_id._check_revision_clause()
        self.contract_id._check_revision_clause()

    # ------------------------------------------------------------------
    # The clause of a signed contract is part of the agreement
    # (service_contract_part_mixin.py).
    # ------------------------------------------------------------------

    _contract_field = "revision_term_ids"

    def _get_signed_contract_message(self, names):
        return self.env._(
            "The price revision clause of a signed contract cannot change: "
            "%(names)s.",
            names=names,
        )

    def _prepare_contract_term_vals(self):
        """Values of the contract's copy of this template term."""
        self.ensure_one()
        return {
            "sequence": self.sequence,
            "index_id": self.index_id.id,
            "weight": self.weight,
        }
