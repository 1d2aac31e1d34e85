"""18.0.1.1.0: what an existing database needs of this version's fixes.

- The portal record rules are ``noupdate`` (security/
  service_contract_portal_security.xml): they are loaded again so that the
  portal reads the services, visit plans and visits of sent contracts only,
  and no visit plan of an amendment not sent.
- A contract waiting for signature was sent with the fingerprint of its text
  alone. Where the text is still the one sent, the fingerprint of its text
  and figures (what its page shows) takes its place, so that the customer
  can still sign it online; where it is not, it is sent again, as before.
"""

import hashlib

from odoo import SUPERUSER_ID, api
from odoo.tools import convert_file

from odoo.addons.service_contract.models.service_lifecycle_guard import (
    lifecycle_write,
)


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    # "init": records that exist are written again, noupdate or not.
    convert_file(
        env,
        "service_contract",
        "security/service_contract_portal_security.xml",
        {},
        mode="init",
        noupdate=True,
    )
    waiting = (
        env["service.contract"]
        .with_context(active_test=False)
        .search([("state", "=", "to_sign"), ("sent_document_hash", "!=", False)])
    )
    with lifecycle_write():
        for contract in waiting:
            text = str(contract.document_body or "").encode()
            if contract.sent_document_hash == hashlib.sha256(text).hexdigest():
                contract.sent_document_hash = contract._signature_fingerprint()
