"""What happens to the invoices the recurring invoicing creates: kept as
drafts, posted, or posted and sent to the customer by email."""

import logging
from collections import defaultdict

from odoo import api, fields, models

from .service_batch_runner import run_isolated

_logger = logging.getLogger(__name__)

INVOICE_POLICIES = [
    ("draft", "Keep as Draft"),
    ("post", "Post"),
    ("send", "Post and Send"),
]
INVOICE_POLICY_HELP = (
    "What recurring invoicing does with the invoices it creates: keep them "
    "as drafts, post them, or post them and send them to the customer by "
    "email with the invoice PDF."
)


class ResCompany(models.Model):
    _inherit = "res.company"

    service_invoice_policy = fields.Selection(
        INVOICE_POLICIES,
        string="Recurring Invoices",
        default="draft",
        required=True,
        help=INVOICE_POLICY_HELP,
    )


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    service_invoice_policy = fields.Selection(
        related="company_id.service_invoice_policy", readonly=False
    )


class ServiceContractTermsMixin(models.AbstractModel):
    _inherit = "service.contract.terms.mixin"

    invoice_policy = fields.Selection(
        INVOICE_POLICIES,
        string="Recurring Invoices",
        help=INVOICE_POLICY_HELP + " Empty: the company's setting.",
    )

    @api.model
    def _get_terms_fields(self):
        return [*super()._get_terms_fields(), "invoice_policy"]


class ServiceContract(models.Model):
    _inherit = "service.contract"

    invoice_policy = fields.Selection(
        compute="_compute_terms", store=True, readonly=False, precompute=True
    )

    def _get_invoice_policy(self):
        """The contract's policy, else its company's."""
        self.ensure_one()
        return self.invoice_policy or self.company_id.service_invoice_policy or "draft"


class ServiceContractPeriod(models.Model):
    _inherit = "service.contract.period"

    def _post_and_send_invoices(self, moves):
        """Apply the invoice policy of their contracts to ``moves``, the
        invoices just created for these periods (the hook of
        ``_create_invoices``, that keeps them as drafts).

        The invoices are posted all at once, or each in its own savepoint if
        that fails (``run_isolated``): one that fails stays a draft and its
        contracts get an activity, the others are posted. The invoices to
        send are then sent by email with their PDF, likewise, so that a
        failing email is isolated too.

        :return: the invoices posted
        """
        contracts_by_move = defaultdict(lambda: self.env["service.contract"])
        move_ids = set(moves.ids)
        for period in self:
            if period.move_id.id in move_ids:
                contracts_by_move[period.move_id] |= period.contract_id
        to_post, to_send = self._get_invoices_by_policy(contracts_by_move)
        if not to_post:
            return to_post
        posted = self._post_invoices(to_post, contracts_by_move)
        to_send &= posted
        no_email = to_send.filtered(lambda move: not move.partner_id.email)
        for move in no_email:
            contracts_by_move[move]._notify_cron_error(
                self.env._("Invoicing failed"),
                self.env._(
                    "Invoice %(invoice)s is posted but not sent: the customer "
                    "%(partner)s has no email address.",
                    invoice=move.name,
                    partner=move.partner_id.display_name,
                ),
            )
        if to_send - no_email:
            self._send_invoices(to_send - no_email, contracts_by_move)
        return posted

    @api.model
    def _post_invoices(self, moves, contracts_by_move):
        """Post ``moves`` at once, or one by one if that fails: an invoice
        that cannot be posted stays a draft and its contracts get an
        activity. Returns the invoices posted."""
        done = run_isolated(
            self.env,
            moves,
            lambda todo: todo.action_post(),
            self._get_invoice_error_handler(
                contracts_by_move,
                "Posting",
                lambda _move, error: self.env._(
                    "The invoice could not be posted and stays a draft: %(error)s",
                    error=self._error_message(error),
                ),
            ),
            batch_failed="Posting invoices %s at once failed; one by one",
        )
        return self.env["account.move"].union(*(posted for posted, _res in done))

    @api.model
    def _get_invoices_by_policy(self, contracts_by_move):
        """(invoices to post, invoices to send). An invoice grouping several
        contracts follows the strictest of their policies."""
        rank = {"draft": 0, "post": 1, "send": 2}
        Move = self.env["account.move"]
        to_post, to_send = Move, Move
        for move, contracts in contracts_by_move.items():
            policy = max(
                (contract._get_invoice_policy() for contract in contracts),
                key=rank.get,
                default="draft",
            )
            if policy != "draft":
                to_post |= move
            if policy == "send":
                to_send |= move
        return to_post, to_send

    @api.model
    def _send_invoices(self, moves, contracts_by_move):
        """Send posted invoices by email with the customer invoice template
        and their PDF, as Odoo's 'Send' does for a batch of invoices."""
        Send = self.env["account.move.send"]
        settings = {
            "sending_methods": {"email"},
            "mail_template": self.env.ref("account.email_template_edi_invoice"),
        }
        run_isolated(
            self.env,
            moves,
            lambda todo: Send._generate_and_send_invoices(todo, **settings),
            self._get_invoice_error_handler(
                contracts_by_move,
                "Sending",
                lambda move, error: self.env._(
                    "Invoice %(invoice)s is posted but could not be sent: %(error)s",
                    invoice=move.name,
                    error=self._error_message(error),
                ),
            ),
            batch_failed="Sending invoices %s at once failed; one by one",
        )

    @api.model
    def _get_invoice_error_handler(self, contracts_by_move, action, get_message):
        """What to do with an invoice that could not be posted or sent alone
        (``run_isolated``): log it, and leave its contracts an activity
        saying ``get_message(move, error)``."""

        def on_error(move, error):
            _logger.warning("%s %s failed: %s", action, move, error)
            contracts_by_move[move]._notify_cron_error(
                self.env._("Invoicing failed"), get_message(move, error)
            )

        return on_error

    @api.model
    def _error_message(self, error):
        args = getattr(error, "args", None)
        return str(args[0]) if args else str(error)
