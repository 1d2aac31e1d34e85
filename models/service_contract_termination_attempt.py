import hashlib
import hmac
import ipaddress
from datetime import timedelta

from odoo import api, fields, models

# System parameter: confirmations accepted per hour from one address (IP)
# by one requester (email, or street and zip), and from one address for one
# contract reference; and how long attempts are kept.
MAX_ATTEMPTS_PARAM = "service_contract.termination_max_attempts"
MAX_ATTEMPTS_DEFAULT = 5
KEEP_DAYS = 2


def _network(address):
    """The address an attempt counts for: an IPv4 address, or the /64
    network of an IPv6 one (a single host usually holds a whole /64)."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return address or "-"
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


class ServiceContractTerminationAttempt(models.Model):
    """One confirmation of the online termination form, kept for an hour's
    rate limit against guessing a reference or a requester's details.
    Attempts count per requester and per reference, each from one address:
    a stranger elsewhere never uses up a customer's own attempts. Neither
    the address, the requester nor the reference is stored: only keyed
    hashes of them."""

    _name = "service.contract.termination.attempt"
    _description = "Online Termination Attempt"
    _order = "id desc"
    _log_access = False

    key_type = fields.Selection(
        [
            ("identity", "Requester, from an address"),
            ("reference", "Contract reference, from an address"),
        ],
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
    def _register_attempt(self, address, reference, identity=None):
        """Return whether an attempt from ``address`` by ``identity`` (the
        normalised email, or street and zip) for ``reference`` is allowed:
        fewer than the maximum in the last hour by that requester from that
        address, and for that reference from that address. Attempts made
        from other addresses never count: nobody elsewhere can use up the
        attempts of a customer, or of a contract's holder. Only allowed
        attempts are logged (a refused one must not prolong the lock),
        under a transaction lock on their keys so that parallel requests
        cannot all pass."""
        limit = self._get_max_attempts()
        network = _network(address)
        identity = (identity or "").strip().lower() or "-"
        reference = (reference or "").strip().upper() or "-"
        limits = {
            ("identity", self._hash("identity", f"{network}|{identity}")): limit,
            ("reference", self._hash("reference", f"{network}|{reference}")): limit,
        }
        for _type, key in sorted(limits):
            self.env.cr.execute(
                "SELECT pg_advisory_xact_lock(hashtext(%s))", [f"sc_termination:{key}"]
            )
        since = fields.Datetime.now() - timedelta(hours=1)
        counts = dict(
            self.sudo()._read_group(
                [
                    ("key_hash", "in", [key for _type, key in limits]),
                    ("attempted_at", ">=", since),
                ],
                ["key_hash"],
                ["__count"],
            )
        )
        if any(counts.get(key, 0) >= value for (_t, key), value in limits.items()):
            return False
        self.sudo().create(
            [{"key_type": key_type, "key_hash": key} for key_type, key in limits]
        )
        return True

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
