"""What the customer signs online is what their page showed: the text and
the figures of a contract or an amendment (issue 20, items 3 and 4).

The attacks are made as they would be: the customer opens the page over
HTTP and keeps the signing URL it carries; a contract user changes the
document over JSON-RPC; the customer's signature is then posted to the
route the portal's signature form calls, with the old page's data."""

import html
import json

from lxml import html as lxml_html

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from ..models.service_lifecycle_guard import lifecycle_write
from .common import PortalCase, RpcMixin, new_tour_user, signature_png

CHANGED = "changed since it was sent"


class FingerprintCase(RpcMixin, PortalCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contract_user = new_tour_user(
            cls.env,
            "sc_fp_user",
            "base.group_user,service_contract.group_service_contract_user",
            name="Fanny Contract User",
        )
        cls.second_site = cls.env["res.partner"].create(
            {
                "name": "SC Portal Garage",
                "type": "site",
                "parent_id": cls.customer.id,
                "city": "Lyon",
            }
        )

    def _as_customer(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        self._rpc_login = None

    def _page_sign_url(self, url):
        """The URL the page's signature form posts to (its ``callUrl``)."""
        page = self._get(url).text
        [component] = lxml_html.fromstring(page).xpath(
            "//owl-component[@name='portal.signature_form']"
        )
        return json.loads(html.unescape(component.get("props")))["callUrl"]

    def _post_signature(self, sign_url, name="Paula Portal"):
        """The customer's signature, as the signature form posts it."""
        self._as_customer()
        return self._jsonrpc(sign_url, {"name": name, "signature": signature_png()})


@tagged("post_install", "-at_install")
class TestAmendmentSignedAsShown(FingerprintCase):
    """Item 3: an amendment's signature is tied to the page the customer saw."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.running.action_amend()
        cls.amendment = cls.running.amendment_ids
        cls.amendment.line_ids.price_unit = 1500.0
        cls.amendment.action_to_sign()

    def test_signature_of_a_page_since_changed_is_refused(self):
        amendment = self.amendment
        # The customer opens the amendment at 1,500.00 and keeps the page.
        self._as_customer()
        old_url = self._page_sign_url(f"/my/amendments/{amendment.id}")

        # Meanwhile a contract user sets it back to draft, changes the price
        # and sends it again.
        user = self.contract_user
        Amendment = "service.contract.amendment"
        self.rpc(user, Amendment, "action_draft", amendment.ids)
        line = amendment.line_ids
        self.rpc(
            user,
            Amendment,
            "write",
            amendment.ids,
            {"line_ids": [Command.update(line.id, {"price_unit": 9999.0})]},
        )
        self.rpc(user, Amendment, "action_to_sign", amendment.ids)
        self.env.invalidate_all()
        self.assertEqual(amendment.state, "to_sign")

        # The signature posted from the old page is refused; nothing applies.
        result = self._post_signature(old_url)
        self.assertIn(CHANGED, result.get("error", ""), result)
        self.assertEqual(amendment.state, "to_sign")
        self.assertFalse(amendment.signature)
        self.assertEqual(self.running.line_ids.price_unit, 100.0)

        # Without the page's fingerprint: refused too.
        result = self._post_signature(f"/my/amendments/{amendment.id}/sign")
        self.assertIn("Reload the page", result.get("error", ""), result)
        self.assertEqual(amendment.state, "to_sign")

        # The customer reloads the page: they see 9,999.00 and sign it.
        new_url = self._page_sign_url(f"/my/amendments/{amendment.id}")
        self.assertNotEqual(new_url, old_url)
        result = self._post_signature(new_url)
        self.assertNotIn("error", result, result)
        self.assertEqual(amendment.state, "done")
        self.assertEqual(self.running.line_ids.price_unit, 9999.0)
        self.assertEqual(amendment.document_hash, amendment.sent_document_hash)

    def test_what_an_amendment_shows_is_frozen_while_waiting(self):
        """Its services, sites and visit plans cannot change while it waits
        for the signature, not even record by record."""
        self.running.action_amend()
        amendment = self.running.amendment_ids.filtered(lambda a: a.state == "draft")
        amendment.write(
            {
                "site_add_ids": [Command.link(self.second_site.id)],
                "plan_ids": [Command.create({"name": "Garage check"})],
            }
        )
        amendment.action_to_sign()
        self._as_customer()
        sign_url = self._page_sign_url(amendment.get_portal_url())
        user = self.contract_user
        plan = amendment.plan_ids
        self.assertRpcRefused(
            user, "service.visit.plan", "write", plan.ids, {"count_per_year": 12}
        )
        self.assertRpcRefused(user, "service.visit.plan", "unlink", plan.ids)
        self.assertRpcRefused(
            user,
            "service.visit.plan",
            "create",
            {"name": "Extra check", "amendment_id": amendment.id},
        )
        self.assertRpcRefused(
            user,
            "service.contract.amendment.line",
            "write",
            amendment.line_ids.ids,
            {"price_unit": 1.0},
        )
        self.assertRpcRefused(
            user,
            "service.contract.amendment",
            "write",
            amendment.ids,
            {"site_add_ids": [Command.clear()]},
        )
        # Changed anyway (by a flow of the module, a script...): the page
        # shown no longer matches, the signature is refused.
        with lifecycle_write():
            plan.count_per_year = 12
        result = self._post_signature(sign_url)
        self.assertIn(CHANGED, result.get("error", ""), result)
        self.assertEqual(amendment.state, "to_sign")
        with lifecycle_write():
            plan.count_per_year = 1
        result = self._post_signature(sign_url)
        self.assertNotIn("error", result, result)
        self.assertEqual(amendment.state, "done")


@tagged("post_install", "-at_install")
class TestContractSignedAsShown(FingerprintCase):
    """Item 4: a contract's signature covers its text and its figures."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tax = cls.tax_sale_a
        cls.waiting = cls.env["service.contract"].create(
            {
                "partner_id": cls.customer.id,
                "template_id": cls.template.id,
                "title": "SC Portal Waiting",
                "date_start": cls.running.date_start,
                "site_ids": [Command.set(cls.site.ids)],
                "line_ids": [
                    Command.clear(),
                    Command.create(
                        {
                            "name": "Boiler servicing",
                            "quantity": 2,
                            "price_unit": 35.0,
                            "tax_ids": [Command.set(cls.tax.ids)],
                        }
                    ),
                    Command.create({"name": "Call-out cover", "price_unit": 440.0}),
                ],
                "visit_plan_ids": [
                    Command.create({"name": "Boiler check", "count_per_year": 2})
                ],
            }
        )
        cls.waiting.action_to_sign()

    def _open_page(self):
        self._as_customer()
        return self._page_sign_url(self.waiting.get_portal_url())

    def test_service_lines_plans_and_sites_are_frozen_while_waiting(self):
        contract = self.waiting
        sign_url = self._open_page()
        user = self.contract_user
        line = contract.line_ids[0]
        plan = contract.visit_plan_ids
        Contract, Line, Plan = (
            "service.contract",
            "service.contract.line",
            "service.visit.plan",
        )
        attacks = [
            (Line, "write", line.ids, {"price_unit": 999.0}),
            (Line, "write", line.ids, {"tax_ids": [Command.clear()]}),
            (Line, "create", {"contract_id": contract.id, "name": "Extra"}),
            (Line, "unlink", line.ids),
            (
                Contract,
                "write",
                contract.ids,
                {"line_ids": [Command.update(line.id, {"price_unit": 999.0})]},
            ),
            (Plan, "write", plan.ids, {"count_per_year": 12}),
            (Plan, "create", {"contract_id": contract.id, "name": "Extra visit"}),
            (Plan, "unlink", plan.ids),
            (
                Contract,
                "write",
                contract.ids,
                {"site_ids": [Command.link(self.second_site.id)]},
            ),
            (Contract, "write", contract.ids, {"invoicing_frequency": "year"}),
            (Contract, "write", contract.ids, {"note": "<p>Other terms</p>"}),
            (Contract, "write", contract.ids, {"document_body": "<p>Other</p>"}),
            (Contract, "write", contract.ids, {"template_id": False}),
        ]
        for model, method, *args in attacks:
            with self.subTest(model=model, method=method, args=args):
                error = self.assertRpcRefused(user, model, method, *args)
                self.assertIn("UserError", str(error))
        self.env.invalidate_all()
        self.assertEqual(line.price_unit, 35.0)
        self.assertEqual(plan.count_per_year, 2)
        self.assertEqual(contract.site_ids, self.site)
        with self.assertRaisesRegex(
            UserError, "waiting for the customer's signature.*set it back to draft"
        ):
            line.with_user(user).price_unit = 999.0
        self.env.invalidate_all()
        # What is not shown to the customer still changes.
        self.rpc(user, Contract, "write", contract.ids, {"group_invoices": True})
        # The page the customer opened is still what they sign.
        result = self._post_signature(sign_url)
        self.assertNotIn("error", result, result)
        self.assertEqual(contract.state, "running")
        self.assertEqual(contract.amount_untaxed, 510.0)

    def test_figures_changed_since_the_page_was_opened_are_not_signed(self):
        """A change that gets through anyway (a flow of the module, a script)
        changes the fingerprint: the old page's signature is refused."""
        contract = self.waiting
        sign_url = self._open_page()
        line = contract.line_ids[0]
        plan = contract.visit_plan_ids
        changes = [
            (line, "price_unit", 999.0),
            (line, "quantity", 3.0),
            (line, "tax_ids", self.tax.browse()),
            (plan, "count_per_year", 12),
            (contract, "site_ids", self.site | self.second_site),
            (contract, "invoicing_mode", "arrears"),
            (contract, "note", "<p>Other terms</p>"),
        ]
        for record, name, value in changes:
            with self.subTest(field=name):
                before = record[name]
                with lifecycle_write():
                    record[name] = value
                result = self._post_signature(sign_url)
                self.assertIn(CHANGED, result.get("error", ""), result)
                self.assertEqual(contract.state, "to_sign")
                with lifecycle_write():
                    record[name] = before
        result = self._post_signature(sign_url)
        self.assertNotIn("error", result, result)
        self.assertEqual(contract.state, "running")
        self.assertEqual(contract.document_hash, contract.sent_document_hash)

    def test_contract_user_sends_a_new_version(self):
        """The honest path: set back to draft, change, send again; only the
        new page can be signed, and it bills what it shows."""
        contract = self.waiting
        old_url = self._open_page()
        user = self.contract_user
        line = contract.line_ids[0]
        self.rpc(user, "service.contract", "action_draft", contract.ids)
        self.rpc(
            user, "service.contract.line", "write", line.ids, {"price_unit": 999.0}
        )
        self.rpc(user, "service.contract", "action_to_sign", contract.ids)
        result = self._post_signature(old_url)
        self.assertIn(CHANGED, result.get("error", ""), result)
        self.assertEqual(contract.state, "to_sign")
        result = self._post_signature(self._open_page())
        self.assertNotIn("error", result, result)
        self.assertEqual(contract.state, "running")
        self.assertEqual(contract.amount_untaxed, 2438.0)

    def test_fingerprint_ignores_what_is_not_shown(self):
        contract = self.waiting
        fingerprint = contract._signature_fingerprint()
        self.assertEqual(contract.sent_document_hash, fingerprint)
        contract.message_post(body="Any news?")
        contract.write({"group_invoices": True, "user_id": self.contract_user.id})
        contract.line_ids.invalidate_recordset()
        # Whoever computes it, in whatever language.
        for record in (
            contract,
            contract.with_user(self.contract_user),
            contract.with_context(lang="fr_FR"),
            contract.sudo(),
        ):
            self.assertEqual(record._signature_fingerprint(), fingerprint)
        self.running.action_amend()
        amendment = self.running.amendment_ids
        amendment.action_to_sign()
        amendment_fingerprint = amendment._signature_fingerprint()
        amendment.message_post(body="Any news?")
        self.assertEqual(amendment._signature_fingerprint(), amendment_fingerprint)
        self.assertEqual(amendment.sent_document_hash, amendment_fingerprint)
        # The customer's page, opened after all that, is signed.
        result = self._post_signature(self._open_page())
        self.assertNotIn("error", result, result)
        self.assertEqual(contract.state, "running")
