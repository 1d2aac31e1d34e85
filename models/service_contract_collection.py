"""Automatic collection: a contract's saved payment method (``payment.token``,
card or SEPA Direct Debit) is charged for each invoice the recurring
invoicing posts, one ``payment.transaction`` per invoice, reconciled by
Odoo's payment flow. A refused charge leaves the invoice open, tells the
customer, and is retried on the company's schedule (days after the first
failure), then the invoice is left to dunning."""

import logging
from collections import defaultdict
from datetime import timedelta

from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import ValidationError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import SQL, format_amount, format_date

from .locking import lock_skip_locked

_logger = logging.getLogger(__name__)

# A charge in these states is under way or done: never a second one.
LIVE_CHARGE_DOMAIN = [
    "|",
    ("state", "in", ("pending", "authorized", "done")),
    "&",
    ("state", "=", "draft"),
    ("operation", "=", "offline"),
]
OPEN_PAYMENT_STATES = ("not_paid", "partial")


def parse_retry_days(text):
    """[3, 7] from "3,7": days after the first failed charge, increasing;
    raises ValueError otherwise. Empty: no retry."""
    parts = [part.strip() for part in (text or "").split(",")]
    if parts == [""]:
        return []
    days = [int(part) for part in parts]
    if any(day <= 0 for day in days) or days != sorted(set(days)):
        raise ValueError(text)
    return days


class ResCompany(models.Model):
    _inherit = "res.company"

    service_collection_retry_days = fields.Char(
        string="Retry Refused Charges After",
        default="3,7",
        help="Days after the first refused automatic charge of an invoice "
        "when it is charged again, separated by commas (e.g. 3,7). After the "
        "last retry, the invoice is left to dunning. Empty: no retry.",
    )

    @api.constrains("service_collection_retry_days")
    def _check_service_collection_retry_days(self):
        for company in self:
            try:
                parse_retry_days(company.service_collection_retry_days)
            except ValueError:
                raise ValidationError(
                    self.env._(
                        "The retry schedule “%(value)s” is not valid: give whole "
                        "numbers of days after the first refused charge, "
                        "increasing and separated by commas, e.g. 3,7.",
                        value=company.service_collection_retry_days,
                    )
                ) from None

    def _get_collection_retry_days(self):
        self.ensure_one()
        return parse_retry_days(self.service_collection_retry_days)


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    service_collection_retry_days = fields.Char(
        related="company_id.service_collection_retry_days", readonly=False
    )


class ServiceContractPeriod(models.Model):
    _inherit = "service.contract.period"

    def _post_and_send_invoices(self, moves):
        """Also: the invoices posted whose contract has a payment method are
        charged (``account.move._schedule_collection``)."""
        posted = super()._post_and_send_invoices(moves)
        posted._schedule_collection()
        return posted


class ServiceContract(models.Model):
    _inherit = "service.contract"

    payment_partner_id = fields.Many2one(
        "res.partner",
        string="Paying Customer",
        compute="_compute_payment_partner_id",
        help="The commercial entity of the invoicing customer: the payment "
        "method must be one of its own.",
    )
    payment_token_id = fields.Many2one(
        "payment.token",
        string="Payment Method",
        copy=False,
        tracking=True,
        groups="account.group_account_invoice,sales_team.group_sale_salesman",
        domain="[('partner_id', 'child_of', payment_partner_id), "
        "('company_id', '=', company_id)]",
        help="A saved card or direct debit mandate of the customer: each "
        "invoice the recurring invoicing posts is charged to it. The "
        "customer can also save one from the contract's portal page.",
    )

    @api.depends("partner_id", "partner_invoice_id")
    def _compute_payment_partner_id(self):
        for contract in self:
            partner = contract.partner_invoice_id or contract.partner_id
            contract.payment_partner_id = partner.commercial_partner_id

    @api.constrains(
        "payment_token_id", "partner_id", "partner_invoice_id", "company_id"
    )
    def _check_payment_token(self):
        for contract in self.sudo():
            token = contract.payment_token_id
            if token and not contract._is_payment_token_allowed(token):
                raise ValidationError(
                    self.env._(
                        "The payment method %(method)s cannot pay the invoices of "
                        "contract %(contract)s: it must be an active payment method "
                        "of %(customer)s, the invoicing customer, in %(company)s.",
                        method=token.display_name,
                        contract=contract.name,
                        customer=contract.payment_partner_id.display_name,
                        company=contract.company_id.name,
                    )
                )

    def _is_payment_token_allowed(self, token):
        """Whether ``token`` may pay this contract's invoices: active, of the
        invoicing customer's commercial entity, in the contract's company."""
        self.ensure_one()
        token = token.sudo()
        return bool(
            token.active
            and token.partner_id.commercial_partner_id == self.payment_partner_id
            and token.company_id == self.company_id
        )

    def _set_payment_token(self, token):
        """Make ``token`` this contract's payment method (the portal, as
        superuser once checked); refused unless it may pay the contract's
        invoices (``_check_payment_token``)."""
        self.ensure_one()
        self.sudo().payment_token_id = token

    def _log_collection(self, *messages):
        """One note in the contract's chatter (``_message_log_batch``)."""
        if not (self and messages):
            return
        self.ensure_one()
        body = Markup("<p>%s</p>") % Markup("<br/>").join(messages)
        self.sudo()._message_log_batch({self.id: body})

    @api.model
    def _cron_collect_payments(self, today=None):
        """Daily (and right after the invoicing run posts invoices): charge
        each open invoice whose automatic charge or retry is due, on the day
        of its company. Each invoice alone, locked with FOR UPDATE SKIP
        LOCKED and checked for a charge under way (never two charges), in
        its own savepoint, committed (outside tests) before the next one: a
        charge made at the provider is never rolled back with others."""
        Move = self.env["account.move"]
        charged = Move
        for company_domain, day in self._get_cron_days(today):
            invoices = Move.search(
                company_domain + Move._get_collection_due_domain(day),
                order="service_collection_date, id",
            )
            for invoice in invoices:
                if invoice.with_context(service_collection_day=day)._collect():
                    charged |= invoice
                self._commit_batch()
        return charged


class AccountMove(models.Model):
    _inherit = "account.move"

    service_collection_date = fields.Date(
        string="Next Automatic Charge",
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="The day the invoice is charged to its contract's payment method "
        "(again, after a refused charge).",
    )
    service_collection_failures = fields.Integer(
        string="Refused Charges", copy=False, readonly=True
    )
    service_collection_failed_date = fields.Date(
        string="First Refused Charge", copy=False, readonly=True
    )

    @api.model
    def _get_collection_due_domain(self, day):
        return [
            ("service_collection_date", "<=", day),
            ("state", "=", "posted"),
            ("move_type", "=", "out_invoice"),
            ("payment_state", "in", OPEN_PAYMENT_STATES),
        ]

    def _get_collection_contract(self):
        """The contract whose payment method pays this invoice: the first of
        its contracts that has one (a grouped invoice)."""
        self.ensure_one()
        contracts = self.sudo().line_ids.service_contract_id.sorted("id")
        return contracts.filtered("payment_token_id")[:1] or contracts[:1]

    def _get_dunning_skipped(self):
        """Dunning waits until the automatic collection is over."""
        return super()._get_dunning_skipped() | self._get_collection_retrying()

    def _get_collection_retrying(self):
        """The invoices of ``self`` whose automatic collection is not over:
        a charge or a retry is planned, or a charge is under way (pending at
        the provider). Dunning skips them; the others are its own."""
        open_invoices = self.filtered(
            lambda move: move.state == "posted"
            and move.payment_state in OPEN_PAYMENT_STATES
        )
        if not open_invoices:
            return open_invoices
        pending = (
            self.env["payment.transaction"]
            .sudo()
            .search(
                [
                    ("invoice_ids", "in", open_invoices.ids),
                    ("service_contract_id", "!=", False),
                    ("state", "in", ("pending", "authorized")),
                ]
            )
            .invoice_ids
        )
        return open_invoices.filtered(
            lambda move: move.service_collection_date or move in pending
        )

    def _schedule_collection(self):
        """The invoices just posted by the invoicing run whose contract has a
        payment method are charged from their invoice date, by the
        collection scheduled action, triggered now."""
        invoices = self.filtered(
            lambda move: move.move_type == "out_invoice"
            and move.state == "posted"
            and move._get_collection_contract().payment_token_id
        )
        for invoice in invoices.sudo():
            invoice.service_collection_date = invoice.invoice_date
        if invoices:
            self.env.ref("service_contract.ir_cron_collect_payments").sudo()._trigger()
        return invoices

    def _collect(self):
        """Charge this invoice to its contract's payment method, if its
        charge is still due and no other charge is under way: one
        ``payment.transaction`` (operation ``offline``, the token, the
        invoice), sent at once; a final state is post-processed at once
        (paid and reconciled by Odoo's payment flow, or refused). Returns
        the transaction, or None.

        The charge sent is kept even if its post-processing fails (Odoo's
        own scheduled post-processing tries again): a charge made at the
        provider is never forgotten, so never made twice."""
        self.ensure_one()
        day = self.env.context["service_collection_day"]
        try:
            with self.env.cr.savepoint():
                tx = self._collect_locked(day)
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            # Another worker holds or changed the invoice: it charges it.
            self.env.invalidate_all(flush=False)
            _logger.info("Charge of %s left to another transaction", self)
            return None
        except Exception as error:  # noqa: BLE001 - one charge fails alone
            self.env.invalidate_all(flush=False)
            _logger.warning("Charging %s failed", self, exc_info=True)
            reason = str(error.args[0] if error.args else error)
            self._run_logged(lambda: self._on_collection_failed(reason))
            return None
        if tx and tx.state in ("done", "error", "cancel") and not tx.is_post_processed:
            self._run_logged(tx._post_process)
        return tx

    def _run_logged(self, func):
        """``func()`` in a savepoint; if it fails, log it and go on."""
        try:
            with self.env.cr.savepoint():
                func()
        except Exception:  # noqa: BLE001 - logged, the next invoice goes on
            self.env.invalidate_all(flush=False)
            _logger.exception("Collection of %s: post-processing failed", self)

    def _collect_locked(self, day):
        self.flush_recordset()
        invoice = lock_skip_locked(
            self, SQL("service_collection_date <= %s", day)
        ).filtered_domain(self._get_collection_due_domain(day))
        if not invoice:
            return None
        Transaction = self.env["payment.transaction"].sudo()
        if Transaction.search_count(
            [("invoice_ids", "in", invoice.ids), *LIVE_CHARGE_DOMAIN], limit=1
        ):
            invoice.service_collection_date = False
            return None
        invoice.service_collection_date = False
        contract = invoice._get_collection_contract()
        token = contract.payment_token_id
        if not (
            token
            and contract._is_payment_token_allowed(token)
            # The card pays the invoice's customer only (an invoice may be
            # moved from the invoicing company to the contract's customer).
            and token.sudo().partner_id.commercial_partner_id
            == invoice.commercial_partner_id
        ):
            invoice._on_collection_failed(
                self.env._("The contract has no active payment method.")
            )
            return None
        values = {
            "provider_id": token.provider_id.id,
            "payment_method_id": token.payment_method_id.id,
            "amount": invoice.amount_residual,
            "currency_id": invoice.currency_id.id,
            "partner_id": invoice.partner_id.id,
            "token_id": token.id,
            "operation": "offline",
            "invoice_ids": [Command.set(invoice.ids)],
            "service_contract_id": contract.id,
        }
        values["reference"] = Transaction._compute_reference(
            token.provider_id.code, **values
        )
        tx = Transaction.create(values)
        contract._log_collection(
            self.env._(
                "Invoice %(invoice)s: automatic charge of %(amount)s to %(method)s "
                "(%(reference)s).",
                invoice=invoice.name,
                amount=tx._service_format_amount(),
                method=token.display_name,
                reference=tx.reference,
            )
        )
        tx._send_payment_request()
        return tx

    def _on_collection_failed(self, reason):
        """A charge of these invoices was refused: plan the next retry (days
        after the first refusal, the company's schedule) or, after the last
        one, leave the invoice to dunning; tell the customer by email and
        log it on the contract."""
        template = self.env.ref("service_contract.mail_template_collection_failed")
        for invoice in self.sudo().filtered(
            lambda move: move.payment_state in OPEN_PAYMENT_STATES
        ):
            day = (
                self.env.context.get("service_collection_day")
                or invoice.company_id._service_today()
            )
            failures = invoice.service_collection_failures + 1
            first = invoice.service_collection_failed_date or day
            days = invoice.company_id._get_collection_retry_days()
            next_date = (
                first + timedelta(days=days[failures - 1])
                if failures <= len(days)
                else False
            )
            invoice.write(
                {
                    "service_collection_failures": failures,
                    "service_collection_failed_date": first,
                    "service_collection_date": next_date,
                }
            )
            contract = invoice._get_collection_contract()
            if next_date:
                message = self.env._(
                    "Invoice %(invoice)s: the automatic charge was refused "
                    "(%(reason)s). Retry on %(date)s; the customer is notified.",
                    invoice=invoice.name,
                    reason=reason,
                    date=format_date(self.env, next_date),
                )
            else:
                message = self.env._(
                    "Invoice %(invoice)s: the automatic charge was refused "
                    "(%(reason)s). No retry left: the invoice is left to "
                    "dunning; the customer is notified.",
                    invoice=invoice.name,
                    reason=reason,
                )
            contract._log_collection(message)
            if invoice.partner_id.email:
                template.sudo().send_mail(invoice.id)


class PaymentTransaction(models.Model):
    _inherit = "payment.transaction"

    service_contract_id = fields.Many2one(
        "service.contract",
        string="Collected Contract",
        readonly=True,
        index="btree_not_null",
        help="The contract whose invoice this automatic charge pays, or for "
        "which the customer saves this payment method.",
    )

    def _service_format_amount(self):
        self.ensure_one()
        return format_amount(self.env, self.amount, self.currency_id)

    def _post_process(self):
        """Also: a contract's charge confirmed is logged on the contract, a
        refused one starts or continues its retries; a payment method saved
        for a contract on the portal becomes the contract's."""
        res = super()._post_process()
        logs = defaultdict(list)
        for tx in self.filtered("service_contract_id"):
            contract = tx.service_contract_id.sudo()
            if tx.operation == "validation":
                if tx.state in ("done", "authorized") and tx.token_id:
                    if contract._is_payment_token_allowed(tx.token_id):
                        contract._set_payment_token(tx.token_id)
                    else:
                        _logger.warning(
                            "%s cannot pay %s: not set", tx.token_id, contract
                        )
                continue
            if tx.operation != "offline":
                continue
            if tx.state == "done":
                logs[contract].append(
                    self.env._(
                        "Invoice %(invoice)s paid by the automatic charge "
                        "%(reference)s.",
                        invoice=", ".join(tx.invoice_ids.mapped("name")),
                        reference=tx.reference,
                    )
                )
            elif tx.state in ("error", "cancel"):
                tx.invoice_ids._on_collection_failed(
                    tx.state_message or self.env._("refused by the payment provider")
                )
        for contract, messages in logs.items():
            contract._log_collection(*messages)
        return res
