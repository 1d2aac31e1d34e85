"""Placeholders of contract documents (no ORM)."""

import re

from lxml import etree, html

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
    ("object.doc_revision_clause", _lt("Price revision clause, with a worked example")),
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


# Inline expressions of Odoo's other rendering engines ({{ }} of the inline
# template engine, #{ } of t-attf-*): refused too, should the engine change.
INLINE_EXPRESSION_RE = re.compile(r"\{\{|#\{")


def refused_constructs(body, allowed):
    """The constructs of an HTML document body that are not documented
    placeholders: any attribute starting with ``t-`` other than
    ``t-out="<placeholder>"`` (t-if, t-set, t-att-*, t-foreach...), and
    inline ``{{ }}`` / ``#{ }`` expressions. Sorted, for the error message.
    """
    if not body or not str(body).strip():
        return []
    try:
        root = html.fragment_fromstring(str(body), create_parent="div")
    except (etree.ParserError, ValueError) as error:
        return [str(error)]
    refused = set()
    for element in root.iter():
        texts = [element.tail]
        if isinstance(element.tag, str):
            texts.append(element.text)
            for name, value in element.attrib.items():
                if name.lower().startswith("t-") and not (
                    name == "t-out" and value in allowed
                ):
                    refused.add(f'{name}="{value}"')
                elif INLINE_EXPRESSION_RE.search(value):
                    refused.add(f'{name}="{value}"')
        else:  # comments, processing instructions
            texts.append(element.text)
        refused.update(
            text.strip()[:80]
            for text in texts
            if text and INLINE_EXPRESSION_RE.search(text)
        )
    return sorted(refused)
