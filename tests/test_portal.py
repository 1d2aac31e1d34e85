from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import PORTAL_DOCUMENT, PortalCase, signature_png


@tagged("post_install", "-at_install")
class TestPortal(PortalCase):
    """The customer portal: contracts, interventions and invoices of the
    user's company only, token links, online signature."""

    def test_portal_user_sees_own_company_records_only(self):
        Contract = self.env["service.contract"].with_user(self.portal_user)
        self.assertEqual(
            Contract.search(
                [("partner_id", "in", (self.customer | self.other_customer).ids)]
            ),
            self.running | self.to_sign,
            "drafts are not sent yet",
        )
        Intervention = self.env["service.intervention"].with_user(self.portal_user)
        self.assertEqual(
            Intervention.search(
                [("partner_id", "in", (self.customer | self.other_customer).ids)]
            ),
            self.visit_done | self.visit_next,
        )
        self.assertTrue(
            self.running.line_ids.with_user(self.portal_user).read(["name"])
        )
        with mute_logger("odoo.addons.base.models.ir_rule"):
            with self.assertRaises(AccessError):
                self.other.with_user(self.portal_user).read(["name"])
            with self.assertRaises(AccessError):
                self.other.line_ids.with_user(self.portal_user).read(["name"])
            with self.assertRaises(AccessError):
                self.other_visit.with_user(self.portal_user).read(["name"])
        with self.assertRaises(AccessError):
            self.running.with_user(self.portal_user).write({"title": "Changed"})

        self.authenticate(self.portal_user.login, "sc_portal_paula")
        counters = self._jsonrpc(
            "/my/counters",
            {"counters": ["service_contract_count", "service_intervention_count"]},
        )
        self.assertTrue(counters["service_contract_count"])
        self.assertTrue(counters["service_intervention_count"])
        home = self._get("/my").text
        self.assertIn('href="/my/contracts"', home)
        self.assertIn('href="/my/interventions"', home)

        page = self._get("/my/contracts").text
        self.assertIn(self.running.name, page)
        self.assertIn("SC Portal Running", page)
        self.assertIn(self.to_sign.name, page)
        self.assertNotIn(self.draft.name, page, "drafts are not sent yet")
        self.assertNotIn(self.other.name, page)

        page = self._get("/my/interventions").text
        self.assertIn(self.visit_done.name, page)
        self.assertIn(self.visit_next.name, page)
        self.assertIn(f"/my/contracts/{self.running.id}/visit_report/", page)
        self.assertNotIn(self.other_visit.name, page)

        # Logged in, the own contract needs no token.
        page = self._get(f"/my/contracts/{self.running.id}").text
        self.assertIn(PORTAL_DOCUMENT, page)

    @mute_logger("odoo.addons.base.models.ir_model", "odoo.addons.base.models.ir_rule")
    def test_other_customer_contract_is_refused(self):
        other = self.other
        urls = [
            f"/my/contracts/{other.id}",
            f"/my/contracts/{other.id}?access_token=wrong",
            f"/my/contracts/{other.id}?report_type=pdf",
            f"/my/contracts/{other.id}/signed_document",
            f"/my/contracts/{other.id}/visit_report/{self.other_visit.id}",
            f"/my/contracts/{self.running.id}/visit_report/{self.other_visit.id}"
            f"?access_token={self.running._portal_ensure_token()}",
        ]
        for login in (None, self.portal_user.login):
            self.authenticate(login, login and "sc_portal_paula")
            for url in urls:
                response = self._open(url, allow_redirects=False)
                self.assertIn(response.status_code, (303, 404), f"{login}: {url}")
                self.assertNotIn(b"SC Portal Foreign", response.content)
            result = self._jsonrpc(
                f"/my/contracts/{self.to_sign.id}/sign?access_token=wrong"
                if not login
                else f"/my/contracts/{other.id}/sign",
                {"name": "Mallory", "signature": signature_png()},
            )
            self.assertIn("error", result)
        self.assertEqual(self.to_sign.state, "to_sign")
        self.assertEqual(other.state, "running")

    def test_token_link_without_login(self):
        contract = self.running
        page = self._get(contract.get_portal_url()).text
        for text in (
            contract.name,
            PORTAL_DOCUMENT,
            "SC Portal Boiler Room",
            "7 rue du Portail",
            # done interventions with their report
            self.visit_done.name,
            contract.get_portal_url(suffix=f"/visit_report/{self.visit_done.id}"),
            # posted invoices only, linked to their portal page
            self.invoice.name,
            f"/my/invoices/{self.invoice.id}?access_token=",
            contract.get_portal_url(suffix="/signed_document"),
            contract.get_portal_url(report_type="pdf", download=True),
        ):
            self.assertIn(text.replace("&", "&amp;"), page)
        self.assertNotIn(f"/my/invoices/{self.draft_invoice.id}", page)
        next_visits = self._section(page, "next_visits")
        self.assertIn("SC Portal next visit", next_visits)
        self.assertNotIn("SC Portal visit done", next_visits)
        self.assertNotIn("o_service_contract_sign_button", page, "signed already")

        invoice_page = self._get(self.invoice.get_portal_url()).text
        self.assertIn(self.invoice.name, invoice_page)

        response = self._get(contract.get_portal_url(report_type="pdf", download=True))
        self.assertEqual(response.headers["Content-Type"], "application/pdf")
        self.assertIn("attachment", response.headers["Content-Disposition"])

        response = self._get(contract.get_portal_url(suffix="/signed_document"))
        self.assertEqual(response.content, contract.signed_document_id.raw)

        response = self._get(
            contract.get_portal_url(suffix=f"/visit_report/{self.visit_done.id}")
        )
        self.assertTrue(response.content.startswith(b"%PDF"))

    def test_sign_online_once(self):
        contract = self.to_sign
        page = self._get(contract.get_portal_url()).text
        self.assertIn("o_service_contract_sign_button", page)
        self.assertIn(
            contract.get_portal_url(suffix="/sign").replace("&", "&amp;"), page
        )

        url = contract.get_portal_url(
            suffix="/sign",
            query_string="&document_hash=" + contract._signature_fingerprint(),
        )
        self.assertIn(url.replace("&", "&amp;"), page)
        result = self._jsonrpc(
            url, {"name": "Paula Portal", "signature": signature_png()}
        )
        self.assertEqual(
            result,
            {
                "force_refresh": True,
                "redirect_url": contract.get_portal_url(
                    query_string="&message=sign_ok"
                ),
            },
        )
        self.assertEqual(contract.state, "running")
        self.assertEqual(contract.signed_by, "Paula Portal")
        self.assertTrue(contract.signature)
        self.assertEqual(contract.date_signed, contract.company_id._service_today())
        self.assertTrue(contract.document_frozen)
        self.assertIn(
            "Signed online by Paula Portal",
            " ".join(str(body) for body in contract.message_ids.mapped("body")),
        )
        self.assertEqual(contract.signed_document_id.mimetype, "application/pdf")
        self.assertTrue(contract.signed_document_id.raw.startswith(b"%PDF"))

        page = self._get(result["redirect_url"]).text
        self.assertIn("Your contract is signed", page)
        self.assertNotIn("o_service_contract_sign_button", page)

        again = self._jsonrpc(
            url, {"name": "Someone Else", "signature": signature_png()}
        )
        self.assertIn("cannot be signed", again["error"])
        self.assertEqual(contract.signed_by, "Paula Portal")

    def test_sign_refuses_missing_signature(self):
        contract = self.to_sign
        result = self._jsonrpc(
            contract.get_portal_url(suffix="/sign"), {"name": "Paula Portal"}
        )
        self.assertIn("error", result)
        self.assertEqual(contract.state, "to_sign")
