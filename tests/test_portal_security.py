import base64
import io
import json

from odoo import http
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from ..models.service_lifecycle_guard import lifecycle_write
from .common import PortalCase, signature_png

FORGED = b"%PDF-1.4 forged by someone holding the customer's link"


@tagged("post_install", "-at_install")
class TestPortalSecurity(PortalCase):
    """Drafts stay internal, signed documents are served by id, the text
    signed is the text shown, and only the signatory signs."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cancelled = cls.draft.copy({"title": "SC Portal Cancelled"})
        cls.cancelled.action_cancel()

    def _sign_url(self, contract, digest=None):
        digest = digest or contract._signature_fingerprint()
        return contract.get_portal_url(
            suffix="/sign", query_string=f"&document_hash={digest}"
        )

    def _sign(self, contract, name="Paula Portal", digest=None):
        return self._jsonrpc(
            self._sign_url(contract, digest),
            {"name": name, "signature": signature_png()},
        )

    @mute_logger("odoo.addons.base.models.ir_rule", "odoo.http")
    def test_drafts_and_cancelled_contracts_are_not_on_the_portal(self):
        Contract = self.env["service.contract"].with_user(self.portal_user)
        self.assertFalse(
            Contract.search([("id", "in", (self.draft | self.cancelled).ids)])
        )
        for contract in self.draft | self.cancelled:
            token = contract._portal_ensure_token()
            urls = [
                f"/my/contracts/{contract.id}",
                f"/my/contracts/{contract.id}?report_type=pdf",
                f"/my/contracts/{contract.id}/signed_document",
                f"/my/contracts/{contract.id}?access_token={token}",
                f"/my/contracts/{contract.id}?access_token={token}&report_type=pdf",
                f"/my/contracts/{contract.id}/signed_document?access_token={token}",
            ]
            for login in (None, self.portal_user.login):
                self.authenticate(login, login)
                for url in urls:
                    response = self._open(url, allow_redirects=False)
                    self.assertIn(response.status_code, (303, 404), url)
                    self.assertNotIn(contract.name.encode(), response.content)
                result = self._jsonrpc(
                    self._sign_url(contract), {"name": "Paula", "signature": "x"}
                )
                self.assertIn("error", result)
                # Nor its chatter, even with the token.
                response = self._post_upload(contract, "note.pdf")
                self.assertEqual(response.status_code, 404)
        # The responsible still previews a draft.
        manager = new_test_user(
            self.env,
            login="sc_portal_manager",
            groups="service_contract.group_service_contract_manager",
        )
        self.authenticate(manager.login, manager.login)
        page = self._get(f"/my/contracts/{self.draft.id}").text
        self.assertIn(self.draft.name, page)

    def _upload(self, contract, filename):
        response = self._post_upload(contract, filename)
        self.assertEqual(response.status_code, 200)
        return json.loads(response.content)["data"]["ir.attachment"][0]["id"]

    def _post_upload(self, contract, filename):
        return self._open(
            "/mail/attachment/upload",
            data={
                "csrf_token": http.Request.csrf_token(self),
                "thread_id": contract.id,
                "thread_model": contract._name,
                "token": contract._portal_ensure_token(),
            },
            files={"ufile": (filename, io.BytesIO(FORGED), "application/pdf")},
        )

    def test_forged_upload_does_not_replace_signed_documents(self):
        contract = self.running
        signed = contract.signed_document_id
        report = self.visit_done.report_document_id
        self.assertTrue(signed.raw.startswith(b"%PDF"))
        self.assertTrue(report.raw.startswith(b"%PDF"))
        pdfs = self.env["ir.attachment"].search(
            [
                ("res_model", "=", contract._name),
                ("res_id", "=", contract.id),
                ("mimetype", "=", "application/pdf"),
            ]
        )
        self.assertEqual(pdfs, signed, "the signed contract is stored once")

        self.authenticate(self.portal_user.login, "sc_portal_paula")
        for name in (
            signed.name,
            f"{contract.name.replace('/', '-')} - signed.pdf",
            report.name,
        ):
            self._upload(contract, name)
        self.env.invalidate_all()
        self.assertEqual(contract.signed_document_id, signed)

        for url, expected in (
            (contract.get_portal_url(report_type="pdf", download=True), signed),
            (contract.get_portal_url(suffix="/signed_document"), signed),
            (
                contract.get_portal_url(suffix=f"/visit_report/{self.visit_done.id}"),
                report,
            ),
        ):
            response = self._get(url)
            self.assertNotIn(b"forged", response.content, url)
            self.assertEqual(response.content, expected.raw, url)

        # The back-office Print and the email serve the signed PDF too.
        Report = self.env["ir.actions.report"]
        pdf, _type = Report._render_qweb_pdf(
            "service_contract.action_report_service_contract", contract.ids
        )
        self.assertEqual(pdf, signed.raw)
        pdf, _type = Report._render_qweb_pdf(
            "service_contract.action_report_intervention", self.visit_done.ids
        )
        self.assertEqual(pdf, report.raw)
        template = self.env.ref("service_contract.mail_template_contract_send")
        values = template._generate_template(
            [contract.id], ["attachment_ids", "report_template_ids"]
        )
        attachments = values[contract.id]["attachments"]
        self.assertEqual(len(attachments), 1)
        self.assertEqual(base64.b64decode(attachments[0][1]), signed.raw)

    def test_signing_page_fingerprints_the_text_shown(self):
        contract = self.to_sign
        page = self._get(contract.get_portal_url()).text
        shown = contract._signature_fingerprint()
        self.assertIn(self._sign_url(contract, shown).replace("&", "&amp;"), page)

        # Edited while the customer reads it (below the guard, which refuses
        # such an edit): refused, nothing signed.
        with lifecycle_write():
            contract.document_body = "<p>Edited while waiting.</p>"
        result = self._sign(contract, digest=shown)
        self.assertIn("changed since it was sent", result["error"])
        self.assertEqual(contract.state, "to_sign")
        # Without the fingerprint of the page: refused.
        result = self._jsonrpc(
            contract.get_portal_url(suffix="/sign"),
            {"name": "Paula Portal", "signature": signature_png()},
        )
        self.assertIn("Reload the page", result["error"])
        self.assertEqual(contract.state, "to_sign")

    def test_only_the_signatory_signs(self):
        contract = self.to_sign
        signatory_user = new_test_user(
            self.env,
            login="sc_portal_signatory",
            password="sc_portal_signatory",
            name="Sam Signatory",
            groups="base.group_portal",
            parent_id=self.customer.id,
        )
        contract.signatory_id = signatory_user.partner_id

        # Another contact of the customer sees the contract, read-only.
        self.authenticate(self.portal_user.login, "sc_portal_paula")
        page = self._get(f"/my/contracts/{contract.id}").text
        self.assertIn(contract.name, page)
        self.assertNotIn("o_service_contract_sign_button", page)
        self.assertIn("o_service_contract_read_only", page)
        result = self._sign(contract, name="Paula Portal")
        self.assertIn("Only Sam Signatory can sign", result["error"])
        self.assertEqual(contract.state, "to_sign")

        # The signatory signs; the account that signed is recorded.
        self.authenticate(signatory_user.login, "sc_portal_signatory")
        page = self._get(f"/my/contracts/{contract.id}").text
        self.assertIn("o_service_contract_sign_button", page)
        result = self._sign(contract, name="Sam Signatory")
        self.assertNotIn("error", result)
        self.assertEqual(contract.state, "running")
        self.assertEqual(contract.signed_by, "Sam Signatory")
        self.assertEqual(contract.signed_by_partner_id, signatory_user.partner_id)

    def test_token_link_records_the_name_typed(self):
        contract = self.to_sign
        contract.signatory_id = self.env["res.partner"].create(
            {"name": "Sam Signatory", "parent_id": self.customer.id}
        )
        self.authenticate(None, None)
        result = self._sign(contract, name="Sam Signatory")
        self.assertNotIn("error", result)
        self.assertEqual(contract.signed_by, "Sam Signatory")
        self.assertFalse(contract.signed_by_partner_id)
        page = self._get(contract.get_portal_url()).text
        self.assertIn(contract.document_hash, page)
