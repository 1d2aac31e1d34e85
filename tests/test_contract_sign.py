import base64
from datetime import timedelta

from odoo.exceptions import UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import ServiceContractCase

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@tagged("post_install", "-at_install")
class TestMarkAsSigned(ServiceContractCase):
    """Mark as Signed (a signature given outside the portal): a wizard asks
    for the signature date and the signed document, or why there is none;
    a contract user uses it, the server checks it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user = new_test_user(
            cls.env,
            login="sc_sign_user",
            groups="base.group_user,service_contract.group_service_contract_user",
        )

    def _wizard(self, contract, **values):
        action = contract.with_user(self.user).action_open_sign_wizard()
        self.assertEqual(action["res_model"], "service.contract.sign")
        return (
            self.env[action["res_model"]]
            .with_user(self.user)
            .with_context(**action["context"])
            .create(values)
        )

    def test_button_opens_the_wizard(self):
        contract = self._create_contract()
        self.assertEqual(
            contract.action_open_sign_wizard()["res_model"], "service.contract.sign"
        )
        wizard = self._wizard(contract)
        self.assertEqual(wizard.contract_id, contract)
        self.assertEqual(wizard.date_signed, self.env.company._service_today())
        self.assertEqual(contract.state, "draft")

    def test_signed_copy_stored_as_the_signed_pdf(self):
        contract = self._create_contract()
        day = self.env.company._service_today() - timedelta(days=3)
        self._wizard(
            contract,
            date_signed=day,
            signed_file=base64.b64encode(PDF),
            signed_filename="scan.pdf",
        ).action_confirm()
        self.assertEqual(contract.state, "running")
        self.assertEqual(contract.date_signed, day)
        self.assertEqual(contract.signed_document_id.raw, PDF)
        self.assertEqual(contract.signed_document_id.res_model, "service.contract")
        self.assertEqual(contract.signed_document_id.res_id, contract.id)
        self.assertIn("signed copy is attached", contract.message_ids[0].body)

    def test_without_a_copy_the_reason_and_the_document_rendered(self):
        contract = self._create_contract()
        self._wizard(
            contract, no_document_reason="Signed in our e-signature tool"
        ).action_confirm()
        self.assertEqual(contract.state, "running")
        self.assertTrue(contract.document_frozen)
        self.assertTrue(contract.signed_document_id.raw.startswith(b"%PDF"))
        self.assertIn("Signed in our e-signature tool", contract.message_ids[0].body)

    def test_refused_without_document_nor_reason_future_date_or_not_a_pdf(self):
        contract = self._create_contract()
        today = self.env.company._service_today()
        with self.assertRaises(UserError):
            self._wizard(contract).action_confirm()
        with self.assertRaises(UserError):
            self._wizard(
                contract,
                signed_file=base64.b64encode(b"GIF89a not a pdf"),
                signed_filename="photo.gif",
            ).action_confirm()
        with self.assertRaises(ValidationError):
            self._wizard(
                contract,
                date_signed=today + timedelta(days=1),
                signed_file=base64.b64encode(PDF),
            ).action_confirm()
        # Nothing changed.
        self.assertEqual(contract.state, "draft")
        self.assertFalse(contract.date_signed)
        self.assertFalse(contract.signed_document_id)

    def test_signed_document_not_written_directly(self):
        """The signed PDF is the wizard's (or the portal's) to set."""
        contract = self._create_contract()
        attachment = self.env["ir.attachment"].create(
            {"name": "fake.pdf", "raw": PDF, "res_model": "service.contract"}
        )
        with self.assertRaises(UserError):
            contract.with_user(self.user).write({"signed_document_id": attachment.id})
