from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from .service_lifecycle_guard import lifecycle_write

BILLING_GROUP = "service_contract.group_service_contract_user"


class ServiceIntervention(models.Model):
    """Billable corrective work: what the contract does not cover (the time
    of a corrective visit not covered, the parts not covered) is invoiced
    once through Odoo's chain, as a customer invoice or, when the company
    prefers, as a quotation.

    The intervention keeps a link to its invoice (or quotation); the invoice
    lines keep a link to the intervention. A cancelled invoice, an invoice
    reversed in full by a credit note or a cancelled quotation frees the
    intervention, which can be invoiced again. Billing is a contract user's
    step done with their own sales and accounting rights: nothing is created
    as superuser, and technicians never see prices.
    """

    _inherit = "service.intervention"

    is_billable = fields.Boolean(
        string="Billable",
        compute="_compute_is_billable",
        store=True,
        groups=BILLING_GROUP,
        help="A corrective visit not covered by the contract, or parts not "
        "covered: invoiced on top of the contract.",
    )
    invoice_id = fields.Many2one(
        "account.move",
        copy=False,
        readonly=True,
        index="btree_not_null",
        check_company=True,
        groups=BILLING_GROUP,
    )
    sale_order_id = fields.Many2one(
        "sale.order",
        string="Quotation",
        copy=False,
        readonly=True,
        index="btree_not_null",
        check_company=True,
        groups=BILLING_GROUP,
    )
    invoice_state = fields.Selection(
        [
            ("no", "Nothing to Invoice"),
            ("to_invoice", "To Invoice"),
            ("quoted", "Quoted"),
            ("invoiced", "Invoiced"),
        ],
        string="Invoicing Status",
        compute="_compute_invoice_state",
        store=True,
        index=True,
        groups=BILLING_GROUP,
    )

    @api.depends("kind", "is_covered", "material_line_ids.is_covered")
    def _compute_is_billable(self):
        for intervention in self:
            intervention.is_billable = intervention._is_labour_billable() or any(
                not line.is_covered for line in intervention.material_line_ids
            )

    @api.depends(
        "is_billable",
        "invoice_id.state",
        "invoice_id.payment_state",
        "sale_order_id.state",
        "sale_order_id.invoice_status",
    )
    def _compute_invoice_state(self):
        for intervention in self:
            invoice = intervention.invoice_id
            order = intervention.sale_order_id
            if invoice and not invoice._is_service_contract_void():
                intervention.invoice_state = "invoiced"
            elif order and order.state != "cancel":
                intervention.invoice_state = (
                    "invoiced" if order.invoice_status == "invoiced" else "quoted"
                )
            elif intervention.is_billable:
                intervention.invoice_state = "to_invoice"
            else:
                intervention.invoice_state = "no"

    def _get_action_fields(self):
        # Set only by the billing step: never invoiced twice through the API.
        return super()._get_action_fields() + ("invoice_id", "sale_order_id")

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_create_invoice(self):
        """Invoice the billable work of these done visits: one customer
        invoice each, or one quotation each when the company's setting says
        so. A visit already invoiced (or quoted) is refused."""
        self._check_billing_access()
        self._lock_for_billing()
        self._check_billable()
        quotation = self.filtered(
            lambda i: i.company_id.service_billable_mode == "quotation"
        )
        invoices = (self - quotation)._create_billing_invoices()
        orders = quotation._create_billing_sale_orders()
        if orders and not invoices:
            return self._action_view_sale_orders(orders)
        return self.env["service.contract"]._action_view_moves(invoices)

    def action_view_invoice(self):
        self.ensure_one()
        return self.env["service.contract"]._action_view_moves(self.invoice_id)

    def action_view_sale_order(self):
        self.ensure_one()
        return self._action_view_sale_orders(self.sale_order_id)

    def _action_view_interventions(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "service_contract.service_intervention_action"
        )
        action["domain"] = [("id", "in", self.ids)]
        action["context"] = {"create": False}
        if len(self) == 1:
            action["views"] = [(False, "form")]
            action["res_id"] = self.id
        return action

    def _action_view_sale_orders(self, orders):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sale.action_quotations_with_onboarding"
        )
        action["domain"] = [("id", "in", orders.ids)]
        action["context"] = {"create": False}
        if len(orders) == 1:
            action["views"] = [(self.env.ref("sale.view_order_form").id, "form")]
            action["res_id"] = orders.id
        return action

    def _get_portal_billing_document(self):
        """What the customer sees of the visit's billing on the portal: its
        posted invoice, else its quotation once sent (or that quotation's
        posted invoice). Called on the portal's sudo records."""
        self.ensure_one()
        invoice = self.invoice_id
        if invoice.state == "posted" and not invoice._is_service_contract_void():
            return invoice
        order = self.sale_order_id
        if order.state not in ("sent", "sale"):
            return self.env["account.move"]
        invoices = order.invoice_ids.filtered(
            lambda m: m.move_type == "out_invoice"
            and m.state == "posted"
            and not m._is_service_contract_void()
        )
        return invoices[:1] or order

    # ------------------------------------------------------------------
    # Checks
    # ------------------------------------------------------------------

    def _check_billing_access(self):
        """Billing is a contract user's step; technicians never bill (nor
        see prices), whatever they call."""
        if not self.env.su and not self.env.user.has_group(BILLING_GROUP):
            raise AccessError(
                self.env._("Only contract users can invoice interventions.")
            )
        self.check_access("write")

    def _lock_for_billing(self):
        """Lock the visits until the end of the transaction and read them
        again: two clicks (or two users) never invoice one visit twice. The
        second waits, then sees the first one's invoice."""
        if not self:
            return
        self.flush_recordset()
        self.env.cr.execute(
            SQL(
                "SELECT id FROM %s WHERE id IN %s FOR UPDATE",
                SQL.identifier(self._table),
                tuple(self.ids),
            )
        )
        self.invalidate_recordset()

    def _check_billable(self):
        if not self:
            raise UserError(self.env._("Select the interventions to invoice."))
        not_done = self.filtered(lambda i: i.state != "done")
        if not_done:
            raise UserError(
                self.env._(
                    "Only done interventions can be invoiced: %(names)s",
                    names=", ".join(not_done.mapped("name")),
                )
            )
        for intervention in self:
            if intervention.invoice_state == "invoiced":
                invoice = intervention.invoice_id
                document = (
                    invoice
                    if invoice and not invoice._is_service_contract_void()
                    else intervention.sale_order_id
                )
                raise UserError(
                    self.env._(
                        "%(name)s is already invoiced (%(document)s): it is "
                        "never invoiced twice. Cancel that invoice first to "
                        "invoice it again.",
                        name=intervention.name,
                        document=document.display_name,
                    )
                )
            if intervention.invoice_state == "quoted":
                raise UserError(
                    self.env._(
                        "%(name)s is already on quotation %(order)s: it is "
                        "never invoiced twice. Cancel that quotation first to "
                        "invoice it again.",
                        name=intervention.name,
                        order=intervention.sale_order_id.name,
                    )
                )
            if not intervention.is_billable:
                raise UserError(
                    self.env._(
                        "%(name)s is covered by contract %(contract)s, and so "
                        "are its parts: there is nothing to invoice.",
                        name=intervention.name,
                        contract=intervention.contract_id.name,
                    )
                )
            if not intervention._get_billable_lines():
                raise UserError(
                    self.env._(
                        "%(name)s has no time spent and no billable part: "
                        "record them before invoicing.",
                        name=intervention.name,
                    )
                )

    # ------------------------------------------------------------------
    # What is billed
    # ------------------------------------------------------------------

    def _is_labour_billable(self):
        """The technician's time is billed for corrective visits the
        contract does not cover."""
        self.ensure_one()
        return self.kind == "corrective" and not self.is_covered

    def _get_labour_product(self):
        """The product the time is billed with: the labour product of the
        company (Settings), else the contract's service product."""
        self.ensure_one()
        product = self.company_id.service_labour_product_id
        if not product:
            product = self.contract_id.line_ids.product_id.filtered(
                lambda p: p.type == "service"
            )[:1]
        return product

    def _get_billable_lines(self):
        """What is billed, in the company's currency, as a list of dicts:
        ``product``, ``name``, ``quantity``, ``uom``, ``price_unit`` and
        ``material`` (the part, or an empty recordset for the time)."""
        self.ensure_one()
        lines = []
        Material = self.env["service.intervention.material"]
        if self._is_labour_billable() and self.duration_actual > 0:
            product = self._get_labour_product()
            if not product:
                raise UserError(
                    self.env._(
                        "Choose the labour product in Settings (Contracts) to "
                        "invoice the time spent on %(name)s.",
                        name=self.name,
                    )
                )
            product = product.with_company(self.company_id)
            hour = self.env.ref("uom.product_uom_hour")
            quantity = self.duration_actual
            uom = product.uom_id
            if uom.category_id == hour.category_id:
                quantity = hour._compute_quantity(quantity, uom, round=False)
            lines.append(
                {
                    "product": product,
                    "name": "\n".join(
                        filter(
                            None,
                            [
                                self.env._(
                                    "%(product)s, intervention %(name)s",
                                    product=product.display_name,
                                    name=self.name,
                                ),
                                self.description,
                            ],
                        )
                    ),
                    "quantity": quantity,
                    "uom": uom,
                    "price_unit": product.lst_price,
                    "material": Material,
                }
            )
        for material in self.material_line_ids.filtered(
            lambda m: not m.is_covered and m.quantity > 0
        ):
            lines.append(
                {
                    "product": material.product_id.with_company(self.company_id),
                    "name": self.env._(
                        "%(part)s, intervention %(name)s",
                        part=material.name or material.product_id.display_name,
                        name=self.name,
                    ),
                    "quantity": material.quantity,
                    "uom": material.product_uom_id or material.product_id.uom_id,
                    "price_unit": material.price_unit,
                    "material": material,
                }
            )
        return lines

    def _get_billing_partner(self):
        """Who is billed: the contract's invoice address, else its customer."""
        self.ensure_one()
        contract = self.contract_id
        return contract.partner_invoice_id or contract.partner_id

    def _get_billing_fiscal_position(self):
        """The fiscal position of the contract's invoices (same rule as the
        recurring invoices: the billed partner's, in the company)."""
        self.ensure_one()
        return (
            self.env["account.fiscal.position"]
            .with_company(self.company_id)
            ._get_fiscal_position(self._get_billing_partner())
        )

    def _get_billing_taxes(self, product, fiscal_position):
        taxes = product.taxes_id._filter_taxes_by_company(self.company_id)
        return fiscal_position.map_tax(taxes)

    def _convert_billing_price(self, price):
        """A price in the company's currency, in the contract's."""
        company = self.company_id
        currency = self.contract_id.currency_id or company.currency_id
        return company.currency_id._convert(
            price, currency, company, fields.Date.context_today(self)
        )

    # ------------------------------------------------------------------
    # Invoices
    # ------------------------------------------------------------------

    def _prepare_invoice_vals(self):
        self.ensure_one()
        contract = self.contract_id
        fiscal_position = self._get_billing_fiscal_position()
        vals = {
            "move_type": "out_invoice",
            "partner_id": self._get_billing_partner().id,
            "company_id": self.company_id.id,
            "currency_id": (contract.currency_id or self.company_id.currency_id).id,
            "fiscal_position_id": fiscal_position.id,
            "invoice_origin": self.name,
            "invoice_user_id": (contract.user_id or self.env.user).id,
            "invoice_line_ids": [
                Command.create(self._prepare_invoice_line_vals(line, fiscal_position))
                for line in self._get_billable_lines()
            ],
        }
        # Unset on the contract: Odoo's defaults (the customer's) apply.
        if contract.payment_term_id:
            vals["invoice_payment_term_id"] = contract.payment_term_id.id
        if contract.journal_id:
            vals["journal_id"] = contract.journal_id.id
        return vals

    def _prepare_invoice_line_vals(self, line, fiscal_position):
        self.ensure_one()
        return {
            "product_id": line["product"].id,
            "name": line["name"],
            "quantity": line["quantity"],
            "product_uom_id": line["uom"].id,
            "price_unit": self._convert_billing_price(line["price_unit"]),
            "tax_ids": [
                Command.set(
                    self._get_billing_taxes(line["product"], fiscal_position).ids
                )
            ],
            "service_contract_id": self.contract_id.id,
            "service_intervention_id": self.id,
        }

    def _create_billing_invoices(self):
        """One draft customer invoice per visit, created with the user's own
        accounting rights; parts are linked to their invoice line."""
        moves = self.env["account.move"]
        if not self:
            return moves
        billed = [(i, i._get_billable_lines()) for i in self]
        for company in self.company_id:
            todo = [(i, lines) for i, lines in billed if i.company_id == company]
            vals_list = [i._prepare_invoice_vals() for i, _lines in todo]
            with lifecycle_write():  # the billing flow links lines to visits
                created = (
                    self.env["account.move"]
                    .with_company(company)
                    .with_context(default_move_type="out_invoice")
                    .create(vals_list)
                )
            for (intervention, lines), move in zip(todo, created, strict=True):
                intervention._link_billing_document(
                    {"invoice_id": move.id},
                    lines,
                    move.invoice_line_ids.sorted(lambda ml: (ml.sequence, ml.id)),
                    "invoice_line_id",
                )
                intervention.message_post(
                    body=self.env._(
                        "Invoiced on %(invoice)s.", invoice=move._get_html_link()
                    )
                )
            moves |= created
        return moves

    def _link_billing_document(self, vals, lines, document_lines, line_field):
        """Link the visit to its invoice or quotation and each billed part to
        its line (lines were created in the order of ``lines``)."""
        self.ensure_one()
        with lifecycle_write():
            self.write(vals)
            for line, document_line in zip(lines, document_lines, strict=True):
                if line["material"]:
                    line["material"].write({line_field: document_line.id})

    # ------------------------------------------------------------------
    # Quotations
    # ------------------------------------------------------------------

    def _prepare_sale_order_vals(self):
        self.ensure_one()
        contract = self.contract_id
        fiscal_position = self._get_billing_fiscal_position()
        vals = {
            "partner_id": contract.partner_id.id,
            "partner_invoice_id": self._get_billing_partner().id,
            "partner_shipping_id": (self.site_id or contract.partner_id).id,
            "company_id": self.company_id.id,
            "fiscal_position_id": fiscal_position.id,
            "origin": self.name,
            "user_id": (contract.user_id or self.env.user).id,
            "order_line": [
                Command.create(self._prepare_sale_line_vals(line, fiscal_position))
                for line in self._get_billable_lines()
            ],
        }
        if contract.payment_term_id:
            vals["payment_term_id"] = contract.payment_term_id.id
        return vals

    def _prepare_sale_line_vals(self, line, fiscal_position):
        self.ensure_one()
        return {
            "product_id": line["product"].id,
            "name": line["name"],
            "product_uom_qty": line["quantity"],
            "product_uom": line["uom"].id,
            "price_unit": self._convert_billing_price(line["price_unit"]),
            "tax_id": [
                Command.set(
                    self._get_billing_taxes(line["product"], fiscal_position).ids
                )
            ],
            "service_intervention_id": self.id,
        }

    def _create_billing_sale_orders(self):
        """One quotation per visit, with the user's own sales rights."""
        orders = self.env["sale.order"]
        if not self:
            return orders
        for intervention in self:
            lines = intervention._get_billable_lines()
            vals = intervention._prepare_sale_order_vals()
            with lifecycle_write():  # the billing flow links lines to visits
                order = (
                    self.env["sale.order"]
                    .with_company(intervention.company_id)
                    .create(vals)
                )
            if order.currency_id != intervention.contract_id.currency_id:
                raise UserError(
                    self.env._(
                        "The quotation of %(name)s would be in %(currency)s, not "
                        "in the contract's currency: choose a pricelist in the "
                        "contract's currency for %(customer)s.",
                        name=intervention.name,
                        currency=order.currency_id.name,
                        customer=order.partner_id.display_name,
                    )
                )
            intervention._link_billing_document(
                {"sale_order_id": order.id},
                lines,
                order.order_line.sorted(lambda sl: (sl.sequence, sl.id)),
                "sale_line_id",
            )
            intervention.message_post(
                body=self.env._("Quoted on %(order)s.", order=order._get_html_link())
            )
            orders |= order
        return orders


class ServiceInterventionMaterial(models.Model):
    _inherit = "service.intervention.material"

    invoice_line_id = fields.Many2one(
        "account.move.line",
        copy=False,
        readonly=True,
        index="btree_not_null",
        groups=BILLING_GROUP,
    )
    sale_line_id = fields.Many2one(
        "sale.order.line",
        string="Quotation Line",
        copy=False,
        readonly=True,
        index="btree_not_null",
        groups=BILLING_GROUP,
    )

    def _get_action_fields(self):
        return super()._get_action_fields() + ("invoice_line_id", "sale_line_id")
