from collections import defaultdict

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools.sql import column_exists, create_column

from .service_lifecycle_guard import lifecycle_write
from .service_link_guard import billed_partners


class SaleOrder(models.Model):
    _name = "sale.order"
    _inherit = [
        "sale.order",
        "service.intervention.billed.mixin",
        "service.link.guard",
    ]
    _service_intervention_lines = "order_line"

    # Contract fields are for contract users; a salesperson reading a whole
    # quotation (read() without field names) skips them.
    service_contract_ids = fields.One2many(
        "service.contract",
        "sale_order_id",
        string="Service Contracts",
        groups="service_contract.group_service_contract_user",
    )
    service_contract_count = fields.Integer(
        compute="_compute_service_contract_count",
        groups="service_contract.group_service_contract_user",
    )

    has_service_contract_lines = fields.Boolean(
        compute="_compute_has_service_contract_lines",
        help="Some of the order's products are billed by service contracts.",
    )

    @api.depends("order_line.service_contract_billed")
    def _compute_has_service_contract_lines(self):
        for order in self:
            order.has_service_contract_lines = any(
                order.order_line.mapped("service_contract_billed")
            )

    @api.depends("service_contract_ids")
    def _compute_service_contract_count(self):
        for order in self:
            order.service_contract_count = len(order.service_contract_ids)

    @api.constrains("partner_id", "company_id")
    def _check_service_contract_partner(self):
        self.order_line._check_service_contract_partner()

    def _create_invoices(self, grouped=False, final=False, date=None):
        """The invoice of a quoted visit keeps the link to it (and to its
        contract): see ``sale.order.line._prepare_invoice_line``."""
        with lifecycle_write():
            return super()._create_invoices(grouped=grouped, final=final, date=date)

    def action_confirm(self):
        res = super().action_confirm()
        self._create_service_contracts()
        return res

    def _get_service_contract_lines(self):
        """Order lines to put under contract, by contract template."""
        self.ensure_one()
        lines_by_template = defaultdict(lambda: self.env["sale.order.line"])
        for line in self.order_line:
            template = line.product_id.service_contract_template_id
            if template and not line.display_type:
                lines_by_template[template] |= line
        return lines_by_template

    def _create_service_contracts(self):
        """One contract per template and quotation, never twice.

        Confirming a quotation is a sales right: a salesperson without
        contract rights confirms one with a contract product too. The
        contracts are therefore read and created as superuser, for the
        order's company (company checks still apply) and with the
        salesperson as responsible. Orders without contract products do not
        touch the contract models at all.
        """
        orders = self.filtered(lambda o: o._get_service_contract_lines()).sudo()
        if not orders:
            return self.env["service.contract"]
        vals_list, sign_now = [], []
        for order in orders:
            existing = order.service_contract_ids.template_id
            for template, lines in order._get_service_contract_lines().items():
                if template in existing:
                    continue
                vals_list.append(order._prepare_service_contract_vals(template, lines))
                sign_now.append(not template.signature_required)
        contracts = orders.env["service.contract"].create(vals_list)
        running = contracts.browse(
            [c.id for c, signed in zip(contracts, sign_now, strict=True) if signed]
        )
        running.action_sign()
        (contracts - running).action_to_sign()
        return contracts.with_env(self.env)

    def _prepare_service_contract_vals(self, template, lines):
        self.ensure_one()
        customer = self.partner_id.commercial_partner_id
        signatory = self.partner_id if self.partner_id != customer else False
        sites = self.partner_shipping_id.filtered(lambda p: p.type == "site")
        vals = {
            "partner_id": customer.id,
            "template_id": template.id,
            "sale_order_id": self.id,
            "company_id": self.company_id.id,
            "currency_id": self.currency_id.id,
            # Never a portal user (a quotation accepted online without a
            # salesperson): the salesperson, else the internal user confirming,
            # else the internal user who created the quotation.
            "user_id": (
                self.user_id
                or self.env.user.filtered(lambda u: not u.share)
                or self.create_uid.filtered(lambda u: not u.share)
            ).id,
            "partner_invoice_id": self.partner_invoice_id.id,
            "payment_term_id": self.payment_term_id.id or template.payment_term_id.id,
            "date_start": self.company_id._service_today(),
            "line_ids": [
                Command.create(line._prepare_service_contract_line_vals())
                for line in lines
            ],
        }
        if signatory:
            vals["signatory_id"] = signatory.id
        if sites:
            vals["site_ids"] = [Command.set(sites.ids)]
        return vals

    # ------------------------------------------------------------------
    # Invoicing: contract lines are billed by their contract only
    # ------------------------------------------------------------------

    def _get_invoiceable_lines(self, final=False):
        """Never a line that its contract bills (even one whose quantity to
        invoice was stored before it was known to be a contract line)."""
        return (
            super()
            ._get_invoiceable_lines(final=final)
            .filtered(lambda line: not line.service_contract_billed)
        )

    def _nothing_to_invoice_error_message(self):
        """When the orders have nothing left but contract lines, say so."""
        if self and all(self.mapped("has_service_contract_lines")):
            return self.env._(
                "Nothing to invoice on %(orders)s: its contract products are "
                "billed by their service contracts, on the contracts' billing "
                "schedule, never by an invoice of the order.",
                orders=", ".join(self.mapped("name")),
            )
        return super()._nothing_to_invoice_error_message()

    def _has_to_be_paid(self):
        """No online payment of a quotation with contract products: the
        contracts bill them on their schedule (a payment at signature would
        bill them twice, or make a down payment the order refuses)."""
        return super()._has_to_be_paid() and not self.has_service_contract_lines

    def _check_down_payment_allowed(self):
        """A down payment is a share of the whole order: refused on an order
        with contract lines, which the order never bills."""
        orders = self.filtered("has_service_contract_lines")
        if orders:
            raise UserError(
                self.env._(
                    "No down payment on %(orders)s: its contract products are "
                    "billed by their service contracts, on the contracts' "
                    "billing schedule. Invoice its other products with a "
                    "regular invoice.",
                    orders=", ".join(orders.mapped("name")),
                )
            )

    def _get_service_contract_terms(self):
        """Terms shown on the printed quotation, one entry per contract."""
        self.ensure_one()
        # The quotation is printed and sent by salespeople without contract
        # rights too: its contract terms are part of the quotation.
        order = self.sudo()
        records = order.service_contract_ids or order.env[
            "service.contract.template"
        ].browse([t.id for t in order._get_service_contract_lines()])
        return records

    def action_view_service_contracts(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "service_contract.service_contract_action"
        )
        action["domain"] = [("sale_order_id", "=", self.id)]
        action["context"] = {"create": False}
        if len(self.service_contract_ids) == 1:
            action["views"] = [(False, "form")]
            action["res_id"] = self.service_contract_ids.id
        return action


class SaleOrderLine(models.Model):
    _name = "sale.order.line"
    _inherit = ["sale.order.line", "service.link.guard"]

    service_intervention_id = fields.Many2one(
        "service.intervention",
        string="Intervention",
        index="btree_not_null",
        copy=False,
        readonly=True,
        help="The intervention whose billable work this line quotes.",
    )

    service_contract_billed = fields.Boolean(
        string="Billed by Contract",
        compute="_compute_service_contract_billed",
        store=True,
        help="The product is sold under a service contract, created when the "
        "quotation is confirmed: the contract bills it on its own schedule, "
        "the order never invoices it.",
    )

    def _auto_init(self):
        """Installed into a database with orders, the module bills none of
        their lines (no product has a contract template yet): the column is
        created empty, so that no existing line is recomputed and rewritten
        (nor its quantities to invoice)."""
        if not column_exists(self.env.cr, "sale_order_line", "service_contract_billed"):
            create_column(
                self.env.cr, "sale_order_line", "service_contract_billed", "bool"
            )
        return super()._auto_init()

    @api.depends("product_id", "display_type", "is_downpayment", "state")
    def _compute_service_contract_billed(self):
        # Decided again at confirmation (the state changes), as the contract
        # is: a template given to the product later changes no order.
        for line in self:
            line.service_contract_billed = bool(
                not line.display_type
                and not line.is_downpayment
                and line.product_id.service_contract_template_id
            )

    @api.depends("service_contract_billed")
    def _compute_qty_to_invoice(self):
        res = super()._compute_qty_to_invoice()
        self.filtered("service_contract_billed").qty_to_invoice = 0.0
        return res

    @api.depends("service_contract_billed")
    def _compute_invoice_status(self):
        res = super()._compute_invoice_status()
        self.filtered("service_contract_billed").invoice_status = "no"
        return res

    @api.depends("service_contract_billed")
    def _compute_untaxed_amount_to_invoice(self):
        res = super()._compute_untaxed_amount_to_invoice()
        self.filtered("service_contract_billed").untaxed_amount_to_invoice = 0.0
        return res

    @api.depends("service_contract_billed")
    def _compute_amount_to_invoice(self):
        res = super()._compute_amount_to_invoice()
        self.filtered("service_contract_billed").amount_to_invoice = 0.0
        return res

    @api.constrains("product_id", "product_uom_qty", "price_unit", "discount")
    def _check_service_contract_after_confirmation(self):
        """A contract product is sold by confirming its quotation, which
        creates the contract: once confirmed, the order adds none and
        changes none (the contract bills them; change it by an amendment)."""
        lines = self.filtered(
            lambda line: line.service_contract_billed and line.state == "sale"
        )
        if lines:
            raise ValidationError(
                self.env._(
                    "%(orders)s is confirmed: its contract products are billed "
                    "by their contracts. Change a contract by an amendment, or "
                    "sell another contract with a new quotation.",
                    orders=", ".join(lines.order_id.mapped("name")),
                )
            )

    @api.constrains("service_intervention_id", "order_id")
    def _check_service_contract_partner(self):
        """A line quotes a visit of its order's customer and company."""
        for line in self.sudo().filtered("service_intervention_id"):
            order = line.order_id
            contract = line.service_intervention_id.contract_id
            if (
                order.partner_id.commercial_partner_id not in billed_partners(contract)
                or contract.company_id != order.company_id
            ):
                raise ValidationError(
                    self.env._(
                        "%(order)s is for %(customer)s in %(company)s: it cannot "
                        "quote visit %(visit)s of another customer or company.",
                        order=order.name,
                        customer=order.partner_id.commercial_partner_id.display_name,
                        company=order.company_id.name,
                        visit=line.service_intervention_id.name,
                    )
                )

    def _prepare_invoice_line(self, **optional_values):
        """The invoice of a quoted intervention keeps the link to it."""
        vals = super()._prepare_invoice_line(**optional_values)
        if self.service_intervention_id:
            # As superuser: a salesperson invoices without contract rights.
            intervention = self.service_intervention_id.sudo()
            vals["service_intervention_id"] = intervention.id
            vals["service_contract_id"] = intervention.contract_id.id
        return vals

    def _prepare_service_contract_line_vals(self):
        self.ensure_one()
        return {
            "sequence": self.sequence,
            "product_id": self.product_id.id,
            "name": self.name,
            "quantity": self.product_uom_qty,
            "price_unit": self.price_unit,
            "discount": self.discount,
            "tax_ids": [Command.set(self.tax_id.ids)],
        }


class ServiceContract(models.Model):
    _inherit = "service.contract"

    @api.constrains("sale_order_id", "partner_id", "company_id")
    def _check_sale_order_partner(self):
        """A contract comes from a quotation of its own customer and company."""
        for contract in self.sudo().filtered("sale_order_id"):
            order = contract.sale_order_id
            if (
                order.partner_id.commercial_partner_id != contract.commercial_partner_id
                or order.company_id != contract.company_id
            ):
                raise ValidationError(
                    self.env._(
                        "Contract %(contract)s is for %(customer)s: it cannot "
                        "come from quotation %(order)s of another customer or "
                        "company.",
                        contract=contract.display_name,
                        customer=contract.commercial_partner_id.display_name,
                        order=order.name,
                    )
                )
