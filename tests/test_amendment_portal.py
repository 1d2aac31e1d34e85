from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common import PortalCase, signature_png


@tagged("post_install", "-at_install")
class TestAmendmentPortal(PortalCase):
    """The customer reads and signs its own amendment on the portal; nobody
    else sees it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_portal_user = new_test_user(
            cls.env,
            login="sc_portal_oscar",
            password="sc_portal_oscar",
            name="Oscar Other",
            groups="base.group_portal",
            parent_id=cls.other_customer.id,
            company_id=cls.env.company.id,
        )
        cls.running.action_amend()
        cls.amendment = cls.running.amendment_ids
        cls.amendment.line_ids.price_unit = 150.0
        cls.amendment.action_to_sign()

    def _sign(self, amendment, name="Paula Portal", token=False):
        """Sign as the page does: with the fingerprint of what it shows."""
        fingerprint = f"document_hash={amendment._signature_fingerprint()}"
        url = f"/my/amendments/{amendment.id}/sign?{fingerprint}"
        if token:
            url = amendment.get_portal_url(
                suffix="/sign", query_string=f"&{fingerprint}"
            )
        return self._jsonrpc(url, {"name": name, "signature": signature_png()})

    def test_customer_signs_its_amendment_online(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        page = self._get(f"/my/amendments/{self.amendment.id}").text
        self.assertIn(self.amendment.name, page)
        self.assertIn("o_amendment_sign_button", page)
        contract_page = self._get(f"/my/contracts/{self.running.id}").text
        self.assertIn(self.amendment.name, contract_page)
        pdf = self._open(f"/my/amendments/{self.amendment.id}?report_type=pdf")
        self.assertEqual(pdf.status_code, 200)
        result = self._sign(self.amendment)
        self.assertNotIn("error", result, result)
        self.assertEqual(self.amendment.state, "done")
        self.assertEqual(self.amendment.signed_by, "Paula Portal")
        self.assertEqual(self.running.line_ids.price_unit, 150.0)
        self.assertTrue(self.amendment.signed_document_id)
        self.assertEqual(self.amendment.signed_document_id.res_id, self.running.id)
        # Signing again is refused, even with the link.
        result = self._sign(self.amendment, token=True)
        self.assertIn("error", result)
        result = self._sign(self.amendment)
        self.assertIn("error", result)

    @mute_logger("odoo.addons.base.models.ir_rule", "odoo.http")
    def test_other_customer_and_anonymous_visitor_get_nothing(self):
        url = f"/my/amendments/{self.amendment.id}"
        for login in (self.other_portal_user.login, None):
            self.authenticate(login, login)
            response = self._open(url, allow_redirects=False)
            self.assertIn(response.status_code, (403, 404), login)
            self.assertNotIn(self.amendment.name.encode(), response.content)
            response = self._open(f"{url}?report_type=pdf", allow_redirects=False)
            self.assertIn(response.status_code, (403, 404), login)
            result = self._sign(self.amendment, name="Oscar Other")
            self.assertIn("error", result)
        self.assertEqual(self.amendment.state, "to_sign")
        self.assertEqual(self.running.line_ids.price_unit, 100.0)
        Amendment = self.env["service.contract.amendment"]
        self.assertFalse(
            Amendment.with_user(self.other_portal_user).search(
                [("id", "=", self.amendment.id)]
            )
        )
        self.assertEqual(
            Amendment.with_user(self.portal_user).search(
                [("id", "=", self.amendment.id)]
            ),
            self.amendment,
        )

    @mute_logger("odoo.addons.base.models.ir_rule", "odoo.http")
    def test_draft_amendment_is_not_on_the_portal(self):
        self.running.action_amend()
        draft = self.running.amendment_ids.filtered(lambda a: a.state == "draft")
        self.authenticate(self.portal_user.login, self.portal_user.login)
        response = self._open(f"/my/amendments/{draft.id}", allow_redirects=False)
        self.assertIn(response.status_code, (403, 404))
        token = draft._portal_ensure_token()
        self.authenticate(None, None)
        response = self._open(
            f"/my/amendments/{draft.id}?access_token={token}", allow_redirects=False
        )
        self.assertIn(response.status_code, (403, 404))

    def test_link_with_token_opens_the_amendment(self):
        token = self.amendment._portal_ensure_token()
        self.authenticate(None, None)
        page = self._get(f"/my/amendments/{self.amendment.id}?access_token={token}")
        self.assertIn(self.amendment.name, page.text)
