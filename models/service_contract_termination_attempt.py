import hashlib
import hmac
from datetime import timedelta

from odoo import api, fields, models

# System parameter: confirmations accepted per hour from one address (IP)
# and for one contract reference; and how long attempts are kept.
MAX_ATTEMPTS_PARAM = "service_contract.termination_max_attempts"
MAX_ATTEMPTS_DEFAULT = 5
KEEP_DAYS = 2


class ServiceContractTerminationAttempt(models.Model):
    """One confirmation of the online termination form, kept for an hour's
    rate limit against enumeration of references and emails. Neither the
    address nor the reference is stored: only keyed hashes of them."""

    _name = "service.contract.termination.attempt"
    _description = "Online Termination Attempt"
    _order = "id desc"
    _log_access = False

    key_type = fields.Selection(
        [("ip", "Address"), ("reference", "Contract reference")],
        required=True,
        readonly=True,
    )
    key_hash = fields.Char(required=True, readonly=True, index=True)
    attempted_at = fields.Datetime(
        required=True, readonly=True, index=True, default=fields.Datetime.now
    )

    @api.model
    def _hash(self, key_type, value):
        secret = self.env["ir.config_parameter"].sudo().get_param("database.secret")
        message = f"{key_type}:{value}".encode()
        return hmac.new((secret or "").encode(), message, hashlib.sha256).hexdigest()

    @api.model
    def _get_max_attempts(self):
        value = self.env["ir.config_parameter"].sudo().get_param(MAX_ATTEMPTS_PARAM)
        try:
            limit = int(value)
        except (TypeError, ValueError):
            return MAX_ATTEMPTS_DEFAULT
        return limit if limit > 0 else MAX_ATTEMPTS_DEFAULT

    @api.model
    def _register_attempt(self, address, reference):
        """Log one attempt from ``address`` for ``reference``; return whether
        it is allowed: fewer than the maximum attempts in the last hour from
        that address and for that reference (this one not counted)."""
        keys = {("ip", self._hash("ip", address or "-"))}
        reference = (reference or "").strip().upper()
        if reference:
            keys.add(("reference", self._hash("reference", reference)))
        since = fields.Datetime.now() - timedelta(hours=1)
        counts = dict(
            self.sudo()._read_group(
                [
                    ("key_hash", "in", [key for _type, key in keys]),
                    ("attempted_at", ">=", since),
                ],
                ["key_hash"],
                ["__count"],
            )
        )
        self.sudo().create(
            [{"key_type": key_type, "key_hash": key} for key_type, key in keys]
        )
        limit = self._get_max_attempts()
        return all(counts.get(key, 0) < limit for _type, key in keys)

    @api.model
    def _cron_purge_termination_attempts(self):
        """Daily: forget the attempts older than the rate limit needs, in
        batches."""
        Contract = self.env["service.contract"]
        batch_size = Contract._get_cron_batch_size()
        limit = fields.Datetime.now() - timedelta(days=KEEP_DAYS)
        done = 0
        while True:
            old = self.search([("attempted_at", "<", limit)], limit=batch_size)
            if not old:
                return done
            old.unlink()
            done += len(old)
            Contract._commit_batch()
