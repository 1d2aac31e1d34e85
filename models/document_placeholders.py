"""Placeholders of contract documents (no ORM)."""

import re

from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)

# Placeholders of contract documents: the expressions the template editor may
# use, rendered by mail.render.mixin without evaluating any code.
DOCUMENT_PLACEHOLDERS = [
    ("object.name", _lt("Contract reference")),
    ("object.partner_id.name", _lt("Customer name")),
    ("object.doc_partner_address", _lt("Customer address")),
    ("object.partner_id.vat", _lt("Customer VAT number")),
    ("object.signatory_id.name", _lt("Signatory")),
    ("object.doc_sites", _lt("Sites with their addresses")),
    ("object.doc_services", _lt("Services with prices")),
    ("object.doc_amount_annual", _lt("Annual amount (untaxed)")),
    ("object.doc_visits", _lt("Number and frequency of visits")),
    ("object.doc_firm_term", _lt("Firm term")),
    ("object.doc_renewal", _lt("Renewal rule")),
    ("object.doc_notice", _lt("Notice period")),
    ("object.doc_notice_deadline", _lt("Notice deadline")),
    ("object.doc_invoicing", _lt("Invoicing frequency and mode")),
    ("object.payment_term_id.name", _lt("Payment terms")),
    ("object.doc_date_start", _lt("Start date")),
    ("object.doc_date_end", _lt("End of the current term")),
    ("object.doc_today", _lt("Today's date")),
    ("object.company_id.name", _lt("Company name")),
    ("object.doc_company_address", _lt("Company address")),
    ("object.company_id.vat", _lt("Company VAT number")),
    ("object.company_id.company_registry", _lt("Company registry number")),
]

PLACEHOLDER_RE = re.compile(r"""t-(?:out|esc|field|raw)\s*=\s*(["'])(.*?)\1""", re.S)
