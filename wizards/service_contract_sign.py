import base64

from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools.mimetypes import guess_mimetype


class ServiceContractSign(models.TransientModel):
    """Record a signature given outside the portal (on paper, by another
    e-signature tool): its date and the signed document, or why there is
    none."""

    _name = "service.contract.sign"
    _description = "Record a Contract Signature"

    contract_id = fields.Many2one("service.contract", required=True, readonly=True)
    date_signed = fields.Date(
        string="Signature Date",
        required=True,
        default=lambda self: self.env.company._service_today(),
        help="The day the customer signed; not in the future.",
    )
    signed_file = fields.Binary(
        string="Signed Document",
        attachment=False,
        help="The contract as the customer signed it (a PDF: scan or "
        "electronic signature); printing and the portal then serve it.",
    )
    signed_filename = fields.Char()
    no_document_reason = fields.Char(
        string="Why No Signed Document",
        help="Without a signed copy, say why (signed in another tool, "
        "agreement by letter...): the contract's document is stored as "
        "the signed version and the reason is noted in the chatter.",
    )

    def action_confirm(self):
        self.ensure_one()
        contract = self.contract_id
        content = base64.b64decode(self.signed_file) if self.signed_file else None
        if content is None and not (self.no_document_reason or "").strip():
            raise UserError(
                self.env._(
                    "Attach the signed document of %(name)s (a PDF), or say "
                    "why there is none.",
                    name=contract.display_name,
                )
            )
        if content is not None and guess_mimetype(content) != "application/pdf":
            raise UserError(
                self.env._(
                    "The signed document of %(name)s must be a PDF: %(file)s "
                    "is not one.",
                    name=contract.display_name,
                    file=self.signed_filename or self.env._("the file attached"),
                )
            )
        contract._sign_offline(
            self.date_signed, content=content, reason=self.no_document_reason
        )
        return {"type": "ir.actions.act_window_close"}
