from odoo import models


class SaleAdvancePaymentInv(models.TransientModel):
    _inherit = "sale.advance.payment.inv"

    def _create_invoices(self, sale_orders):
        """Regular invoices leave out the lines that contracts bill (see
        ``sale.order._get_invoiceable_lines``); a down payment, a share of
        the whole order, is refused on an order with such lines."""
        if self.advance_payment_method != "delivered":
            sale_orders._check_down_payment_allowed()
        return super()._create_invoices(sale_orders)
