"""What a customer signs: the fingerprint of a document as it is shown.

Contracts and amendments are signed online from a page that shows their
text and figures. The fingerprint (SHA-256) covers the text as issued
(``document_body``) and a canonical serialisation of the figures it stands
for (services, prices, quantities, taxes, terms, sites, visit plans...),
listed by each model in ``_get_signed_fields``. It is stored when the
document is sent, carried by the page that asks for the signature, checked
at signature, and kept with the signature.
"""

import hashlib
import json

from odoo import models
from odoo.exceptions import UserError
from odoo.tools import float_repr, float_round

# Figures are compared at this precision: every figure stored in the
# database (prices, quantities, weights) has at most as many decimals.
FIGURE_DIGITS = 6
# The state of a document sent and waiting for the customer's signature.
WAITING_STATE = "to_sign"


def _canonical_value(record, name, spec):
    field = record._fields[name]
    value = record[name]
    if field.type in ("one2many", "many2many"):
        if spec:
            return [_canonical_row(sub, spec) for sub in value.sorted()]
        return sorted(value.ids)
    if field.type == "many2one":
        return value.id
    if field.type in ("float", "monetary"):
        return float_repr(float_round(value or 0.0, FIGURE_DIGITS), FIGURE_DIGITS)
    if field.type in ("date", "datetime"):
        return value.isoformat() if value else None
    if field.type in ("integer", "boolean"):
        return value
    return str(value or "")


def _canonical_row(record, spec):
    return {name: _canonical_value(record, name, sub) for name, sub in spec.items()}


class ServiceSignedDocumentMixin(models.AbstractModel):
    """The fingerprint of what a document shows, for contracts and
    amendments (which also inherit ``service.lifecycle.guard``)."""

    _name = "service.signed.document.mixin"
    _description = "Document Signed Online"

    def _get_signed_fields(self):
        """The figures the signature covers besides the text: {field: None,
        or for a one2many/many2many {field of the line: ...}}. While the
        document waits for the signature they cannot change (see
        ``_check_waiting_unchanged``)."""
        return {}

    def _get_waiting_frozen_fields(self):
        """What cannot change while the document waits for the signature:
        its text and the figures the signature covers."""
        return {"document_body", *self._get_signed_fields()}

    def _get_signature_changed_message(self):
        """Error refusing to sign ``self``: it changed since it was sent or
        shown."""
        raise NotImplementedError

    def _signature_payload(self):
        """The canonical text of what the document shows: its text and its
        figures, read the same whoever reads it (as superuser, archived
        records included) in the customer's language (names of visits)."""
        self.ensure_one()
        record = self.sudo().with_context(
            lang=self.partner_id.lang or self.env.lang, active_test=False
        )
        return json.dumps(
            {
                "text": str(record.document_body or ""),
                "figures": _canonical_row(record, record._get_signed_fields()),
            },
            ensure_ascii=False,
            separators=(",", ":"),
            sort_keys=True,
        )

    def _signature_fingerprint(self):
        """SHA-256 of what the document shows (see ``_signature_payload``)."""
        self.ensure_one()
        return hashlib.sha256(self._signature_payload().encode()).hexdigest()

    def _check_signature_fingerprint(self, shown=None):
        """Refuse to sign a document that changed since it was sent
        (``sent_document_hash``) or since the page ``shown`` (the fingerprint
        the signing page carried, when given) was displayed."""
        self.ensure_one()
        current = self._signature_fingerprint()
        sent = self.sent_document_hash
        if (sent and current != sent) or (shown and current != shown):
            raise UserError(self._get_signature_changed_message())

    # ------------------------------------------------------------------
    # Online signature (the document has ``signatory_id`` and ``partner_id``)
    # ------------------------------------------------------------------

    def _get_portal_sign_refusal(self, reason):
        """Error refusing to sign ``self`` online: ``reason`` is ``state``
        (not waiting for a signature) or ``signatory`` (someone else must
        sign)."""
        raise NotImplementedError

    def _portal_can_sign(self, user=None):
        """Whether ``user`` (the portal visitor, by default the current user)
        may sign: anyone holding the link when no account is logged in; a
        logged-in customer account only if it is the signatory (when one is
        set)."""
        self.ensure_one()
        user = user or self.env.user
        return self.state == WAITING_STATE and (
            not user.share
            or user._is_public()
            or not self.signatory_id
            or user.partner_id == self.signatory_id
        )

    def _check_portal_sign(self, name, signature, document_hash, user):
        """Refuse the online signature of ``user``: of a document not
        waiting for it, by someone else than the signatory, without a name
        and a signature, or of a document that changed since it was sent or
        shown (``document_hash``)."""
        self.ensure_one()
        if self.state != WAITING_STATE:
            raise UserError(self._get_portal_sign_refusal("state"))
        if not self._portal_can_sign(user):
            raise UserError(self._get_portal_sign_refusal("signatory"))
        if not name or not signature:
            raise UserError(self.env._("Sign with your name and signature."))
        self._check_signature_fingerprint(document_hash)

    def _get_portal_signer(self, user):
        """The author of the messages of an online signature by ``user``:
        from a token link (the public user), the customer signs."""
        if user._is_public():
            return self.signatory_id or self.partner_id
        return user.partner_id

    def _check_waiting_unchanged(self, names):
        """Refuse to change the fields ``names`` of the documents of ``self``
        waiting for the customer's signature, when they are part of what was
        sent (``_get_waiting_frozen_fields``): a new version is set back to draft,
        changed and sent again. The module's own flows (inside
        ``lifecycle_write()``) are not refused."""
        if not self or self._is_lifecycle_write():
            return
        changed = set(names) & self._get_waiting_frozen_fields()
        waiting = self.filtered(lambda record: record.state == WAITING_STATE)
        if changed and waiting:
            self.check_access("write")
            raise UserError(
                self.env._(
                    "%(names)s: waiting for the customer's signature, "
                    "%(fields)s cannot change; set it back to draft to change "
                    "it, then send it again.",
                    names=", ".join(waiting.mapped("display_name")),
                    fields=self._field_labels(changed),
                )
            )
