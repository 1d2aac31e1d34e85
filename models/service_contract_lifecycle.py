from odoo import api, models

from .service_lifecycle_guard import lifecycle_write

# The contract's guarded fields (see service_lifecycle_guard.py), in one place.
# Written only by the contract's actions, in any state.
CONTRACT_ACTION_FIELDS = (
    "state",
    "date_term_start",
    "renewal_count",
    "notice_date",
    "notice_by",
    "notice_reason",
    "date_termination",
    "termination_type",
    "termination_reason",
    "date_closed",
    "close_reason",
    "chatel_reminder_date",
    "chatel_terminable",
    "document_frozen",
    "signed_document_id",
    "signed_by",
    "signed_by_partner_id",
    "signature",
    "sent_document_hash",
    "document_hash",
    "revision_blocked",
    "revision_blocked_reason",
    "health",
    "health_details",
    "health_date",
)
# Set at creation only.
CONTRACT_CREATE_ONLY_FIELDS = ("sale_order_id",)
# The signed agreement: frozen once the contract is signed (running, closed).
CONTRACT_SIGNED_FIELDS = (
    "company_id",
    "currency_id",
    "partner_id",
    "signatory_id",
    "template_id",
    "date_signed",
    "date_start",
    "document_body",
    "line_ids",
    "duration",
    "duration_unit",
    "renewal_type",
    "renewal_duration",
    "renewal_unit",
    "notice_period",
    "notice_unit",
    "invoicing_frequency",
    "invoicing_mode",
    "prorata",
    "revision_fixed_part",
    "revision_term_ids",
    "revision_base_date",
    "revision_index_rule",
    "revision_min",
    "revision_max",
    "revision_digits",
    "revision_split",
    "response_time_hours",
    "response_business_hours",
)
UNSIGNED_STATES = ("draft", "to_sign", "cancel")


class ServiceContract(models.Model):
    """Lifecycle fields change only through the contract's actions.

    The actions below run inside ``lifecycle_write()``; this file is loaded
    after every other extension of the contract, so that the whole action,
    overrides included, may write the guarded fields.
    """

    _name = "service.contract"
    _inherit = ["service.contract", "service.lifecycle.guard"]

    def _get_action_fields(self):
        return CONTRACT_ACTION_FIELDS

    def _get_create_only_fields(self):
        return CONTRACT_CREATE_ONLY_FIELDS

    def _get_frozen_fields(self):
        return CONTRACT_SIGNED_FIELDS

    def _is_frozen(self):
        self.ensure_one()
        return self.state not in UNSIGNED_STATES

    @api.model_create_multi
    def create(self, vals_list):
        self._check_lifecycle_create(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        self._check_lifecycle_write(vals)
        # Sent for signature: what the customer signs does not change.
        self._check_waiting_unchanged(vals)
        return super().write(vals)

    # ------------------------------------------------------------------
    # The actions: the only writers of the guarded fields.
    # ------------------------------------------------------------------

    def action_to_sign(self):
        with lifecycle_write():
            return super().action_to_sign()

    def action_sign(self, date_signed=None):
        with lifecycle_write():
            return super().action_sign(date_signed=date_signed)

    def action_cancel(self):
        with lifecycle_write():
            return super().action_cancel()

    def action_draft(self):
        with lifecycle_write():
            return super().action_draft()

    def action_renew(self):
        with lifecycle_write():
            return super().action_renew()

    def action_withdraw_notice(self):
        with lifecycle_write():
            return super().action_withdraw_notice()

    def _register_notice(self, notice_date, notice_by, reason, override=False):
        with lifecycle_write():
            return super()._register_notice(
                notice_date, notice_by, reason, override=override
            )

    def _terminate(self, date, termination_type, reason):
        with lifecycle_write():
            return super()._terminate(date, termination_type, reason)

    def _renew(self, term_start, count=1):
        with lifecycle_write():
            return super()._renew(term_start, count=count)

    def _close(self, reason, date):
        with lifecycle_write():
            return super()._close(reason, date)

    def _process_terms(self, today):
        with lifecycle_write():
            return super()._process_terms(today)

    def _send_chatel_reminders(self, today):
        with lifecycle_write():
            return super()._send_chatel_reminders(today)

    def _generate_periods(self):
        with lifecycle_write():
            return super()._generate_periods()

    def _portal_sign(self, name, signature, document_hash=None, user=None):
        with lifecycle_write():
            return super()._portal_sign(
                name, signature, document_hash=document_hash, user=user
            )

    def action_chatel_sent_by_post(self):
        with lifecycle_write():
            return super().action_chatel_sent_by_post()
