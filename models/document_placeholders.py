"""The check of contract documents' placeholders (no ORM). Which
placeholders exist is said by the contract and its concerns
(``service.contract._get_document_placeholders``)."""

import re

from lxml import etree, html

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
