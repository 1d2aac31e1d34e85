"""What the next invoice of a contract carries besides its periods: a price
revision stated with its catch-up, a signed amendment's adjustment. Each
concern adds its kind to ``service.contract.period._get_invoice_adjustments``
(service_contract_period.py puts each once on the invoice of the first period
invoiced that ends on or after its date, and records the invoice that carried
it). Here, what they share: the catch-up line, and the take-over of an
invoice cancelled or reversed in full, that gives them back (they go on the
next invoice again), unless a new draft replaces the invoice ("Reverse and
create a new draft"): the draft carries them."""

from odoo import Command, models

from .service_lifecycle_guard import lifecycle_write


class ServiceContract(models.Model):
    _inherit = "service.contract"

    def _prepare_catch_up_line_vals(self, context, partner, amount, name, **values):
        """One invoice line of ``amount`` (a credit when negative) on the
        contract's first service, taxed and accounted like it."""
        self.ensure_one()
        line = self.line_ids[:1]
        if not line:
            return []
        fiscal_position = context.fiscal_position(partner, self)
        account = context.income_account(line, fiscal_position)
        return [
            Command.create(
                {
                    "product_id": line.product_id.id,
                    "name": name,
                    "quantity": 1,
                    "price_unit": amount,
                    "tax_ids": [
                        Command.set(context.taxes(line.tax_ids, fiscal_position))
                    ],
                    "account_id": account.id,
                    "service_contract_id": self.id,
                    **values,
                }
            )
        ]


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    def _get_service_adjustment_fields(self):
        """The fields naming the adjustment a line carries (the
        ``_adjustment_line_field`` of each kind)."""
        return [
            name
            for name, field in self._fields.items()
            if field.type == "many2one"
            and getattr(self.env[field.comodel_name], "_adjustment_line_field", None)
            == name
        ]

    def copy_data(self, default=None):
        """Lines copied with their business fields (a credit note, the new
        draft replacing a credited invoice) name the same adjustments."""
        vals_list = super().copy_data(default=default)
        if self.env.context.get("include_business_fields"):
            fnames = self._get_service_adjustment_fields()
            for line, vals in zip(self, vals_list, strict=True):
                for fname in fnames:
                    if line[fname]:
                        vals[fname] = line[fname].id
        return vals_list


class AccountMove(models.Model):
    _inherit = "account.move"

    def _take_service_adjustments(self):
        """These invoices carry the adjustments their lines name (as
        superuser: an accountant needs no contract rights)."""
        lines = self.sudo().invoice_line_ids
        with lifecycle_write():
            for fname in lines._get_service_adjustment_fields():
                for line in lines.filtered(fname):
                    line[fname].move_id = line.move_id


class AccountMoveReversal(models.TransientModel):
    _inherit = "account.move.reversal"

    def reverse_moves(self, is_modify=False):
        action = super().reverse_moves(is_modify=is_modify)
        if is_modify:
            self.new_move_ids._take_service_adjustments()
        return action
