"""Server-side guard of the links from sale and accounting records to the
module's records: an invoice line's contract, visit, revision or amendment,
an invoice's billing periods, an order line's visit...

Such a link puts an invoice on a contract's portal page and in its invoiced,
overdue and late-payer figures, or bills a visit. Only the module's own flows
set them (contract invoicing, quotation confirmation and invoicing, visit
billing, credit notes and reversals), inside ``lifecycle_write()``. Outside
them, a ``create``, ``write`` or ``load`` carrying one is refused, whoever
calls (``sudo`` included), and a duplicate (``copy``) leaves them out. A
``default_`` key of the context naming one is refused even inside a flow:
the client fills the context, never the values of the flow; a user's
``ir.default`` of one is ignored.

The links are every relational field to a ``service.*`` model, found on the
model itself: a field added later is guarded too.
"""

from odoo import Command, api, models
from odoo.exceptions import UserError

from .service_lifecycle_guard import is_lifecycle_write


def _is_empty_link(value):
    """No record: False, an empty list, or x2many commands that set none."""
    if not value:
        return True
    if isinstance(value, list | tuple):
        return all(
            isinstance(command, list | tuple)
            and (
                command[0] == Command.CLEAR
                or (command[0] == Command.SET and not command[2])
            )
            for command in value
        )
    return False


def billed_partners(contract):
    """The commercial partners a contract's invoices and quotations may be
    made out to: its customer, and the company of its invoice address (a
    property manager or a parent company, as the quotation said)."""
    return (
        contract.commercial_partner_id
        | contract.partner_invoice_id.commercial_partner_id
    )


class ServiceLinkGuard(models.AbstractModel):
    _name = "service.link.guard"
    _description = "Links to Service Records Guard"

    def _get_service_link_fields(self):
        """The relational fields of the model pointing to a service model."""
        return [
            name
            for name, field in self._fields.items()
            if field.relational and field.comodel_name.startswith("service.")
        ]

    def _service_link_error(self, names):
        labels = ", ".join(
            sorted(self._fields[name]._description_string(self.env) for name in names)
        )
        return self.env._(
            "%(model)s: %(fields)s can only be set by the service contract "
            "flows (contract invoicing, quotations, visit billing, credit "
            "notes), not written directly.",
            model=self._description,
            fields=labels,
        )

    def _check_service_link_write(self, vals):
        if is_lifecycle_write(self.env):
            return
        refused = set(vals) & set(self._get_service_link_fields())
        if refused:
            self.check_access("write")  # no right to write at all comes first
            raise UserError(self._service_link_error(refused))

    def _check_service_link_create(self, vals_list):
        links = self._get_service_link_fields()
        context = self.env.context
        refused = {name for name in links if context.get(f"default_{name}")}
        if not is_lifecycle_write(self.env):
            refused.update(
                name
                for vals in vals_list
                for name in links
                if not _is_empty_link(vals.get(name))
            )
        if refused:
            raise UserError(self._service_link_error(refused))

    @api.model_create_multi
    def create(self, vals_list):
        self._check_service_link_create(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        self._check_service_link_write(vals)
        return super().write(vals)

    @api.model
    def default_get(self, fields_list):
        """A link has no default: a user's ``ir.default`` (which a client
        can set for itself) never links a new record."""
        defaults = super().default_get(fields_list)
        for name in self._get_service_link_fields():
            defaults.pop(name, None)
        return defaults

    def copy_data(self, default=None):
        """A duplicate made outside the flows is not linked (values given in
        ``default`` stay, and are refused at creation)."""
        vals_list = super().copy_data(default=default)
        if not is_lifecycle_write(self.env):
            dropped = set(self._get_service_link_fields()) - set(default or ())
            for vals in vals_list:
                for name in dropped:
                    vals.pop(name, None)
        return vals_list
