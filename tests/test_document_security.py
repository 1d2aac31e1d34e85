import re
from unittest.mock import patch

from odoo import SUPERUSER_ID, Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import new_test_user, tagged

from ..models.service_lifecycle_guard import lifecycle_write
from .common import SIGNATURE_PIXEL, ServiceContractCase

HONEST = (
    '<p>Contract <t t-out="object.name"/> for <t t-out="object.partner_id.name"/></p>'
)

# Each attack, and what the error message must name.
ATTACKS = [
    ('<p><t t-if="object.env.su and object.env.cr"/>x</p>', "t-if"),
    ('<p><t t-set="x" t-value="object.env.cr.execute(\'select 1\')"/></p>', "t-set"),
    ('<p><img t-att-src="object.env.cr.dbname"/></p>', "t-att-src"),
    ('<p><span t-attf-class="#{object.env.uid}">x</span></p>', "t-attf-class"),
    (
        '<p><t t-foreach="object.env[\'res.users\'].search([])" t-as="u"/></p>',
        "t-foreach",
    ),
    ('<p><t t-esc="object.name"/></p>', "t-esc"),
    ('<p><t t-raw="object.name"/></p>', "t-raw"),
    ('<p><span t-field="object.name"/></p>', "t-field"),
    ('<p><t t-call="web.external_layout"/></p>', "t-call"),
    ('<p><t t-out="object.partner_id.credit_limit"/></p>', "credit_limit"),
    ('<p><t t-out=" object.name"/></p>', "t-out"),
    ("<p>{{ object.env.cr.dbname }}</p>", "{{ object.env.cr.dbname }}"),
    ('<p><a href="#{object.env.uid}">x</a></p>', "#{object.env.uid}"),
]


@tagged("post_install", "-at_install")
class TestDocumentSecurity(ServiceContractCase):
    """Contract templates accept the documented placeholders only, through
    every write path, and documents are never rendered as the superuser."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.contract_user = new_test_user(
            cls.env,
            login="sc_doc_user",
            name="Camille Contracts",
            groups="service_contract.group_service_contract_user",
        )
        cls.template.document_body = HONEST
        cls.contract = cls._create_contract(user_id=cls.contract_user.id)

    def _assert_body_refused(self, write, body, named):
        before = {
            lang: self.template.with_context(lang=lang).document_body
            for lang in ("en_US", "fr_FR")
        }
        # The message names the refused construct (in the writer's language).
        self.assertRefused(
            ValidationError, re.escape(named), write, self.template, body
        )
        for lang, value in before.items():
            self.assertEqual(
                self.template.with_context(lang=lang).document_body, value, named
            )

    def test_qweb_directives_and_expressions_are_refused_at_save(self):
        for body, named in ATTACKS:
            with self.subTest(body=body):
                with self.assertRaises(ValidationError) as caught:
                    with self.env.cr.savepoint():
                        self.template.document_body = body
                self.assertIn(named, str(caught.exception))
                self.env.invalidate_all()
                self.assertEqual(str(self.template.document_body), HONEST)

    def test_every_language_and_write_path_is_checked(self):
        attack = '<p><t t-if="object.env.su"/>Contrat</p>'

        def write_fr(template, body):
            template.with_context(lang="fr_FR").document_body = body

        def translate_fr(template, body):
            template.update_field_translations("document_body", {"fr_FR": body})

        def create(template, body):
            template.create({"name": "Evil", "document_body": body})

        def import_(template, body):
            result = template.load(["name", "document_body"], [["Evil", body]])
            if not result["ids"]:
                raise ValidationError(
                    " ".join(message["message"] for message in result["messages"])
                )

        for write in (write_fr, translate_fr, create, import_):
            with self.subTest(path=write.__name__):
                self._assert_body_refused(write, attack, "t-if")
        self.assertFalse(
            self.env["service.contract.template"].search([("name", "=", "Evil")])
        )

        # The honest path: a French translation with placeholders.
        french = (
            '<p>Contrat <t t-out="object.name"/> pour '
            '<t t-out="object.partner_id.name"/></p>'
        )
        translate_fr(self.template, french)
        self.customer.lang = "fr_FR"
        self.contract.with_user(self.contract_user).action_render_document()
        self.assertIn(
            f"Contrat {self.contract.name} pour", str(self.contract.document_body)
        )

    def test_template_language_is_no_code(self):
        self.assertFalse(self.template.lang)
        self.assertRefused(
            ValidationError,
            "leave the language empty",
            self.template.write,
            {"lang": "{{ object.env.cr.execute('select 1') }}"},
        )
        # A language expression stored before is never evaluated: the
        # language is the customer's, read in Python.
        self.env.cr.execute(
            "UPDATE service_contract_template SET lang = %s WHERE id = %s",
            ["{{ 1/0 }}", self.template.id],
        )
        self.template.invalidate_recordset(["lang"])
        self.assertEqual(
            self.template._render_lang(self.contract.ids),
            {self.contract.id: self.customer.lang},
        )
        self.contract.action_render_document()
        self.assertIn(self.contract.name, str(self.contract.document_body))

    def _spy_renderers(self):
        calls = []
        Template = type(self.env["service.contract.template"])
        original = Template._render_field

        def spy(template, *args, **kwargs):
            calls.append((template.env.user, template.env.su))
            return original(template, *args, **kwargs)

        return calls, patch.object(Template, "_render_field", spy)

    def test_rendering_never_runs_as_superuser(self):
        portal = new_test_user(
            self.env, login="sc_doc_portal", groups="base.group_portal"
        )
        calls, spy = self._spy_renderers()
        with spy:
            # As in a portal request (sudo): rendered as the responsible.
            self.contract.with_user(portal).sudo()._render_document()
            # Without a responsible: as a contract manager of the company.
            self.contract.user_id = False
            self.contract.with_user(portal).sudo()._render_document()
            # In the back office: as the current user.
            self.contract.with_user(self.contract_user)._render_document()
        manager = calls[1][0]
        self.assertEqual(calls[0], (self.contract_user, False))
        self.assertEqual(calls[1][1], False)
        self.assertTrue(
            manager.has_group("service_contract.group_service_contract_manager")
        )
        self.assertFalse(manager.share)
        self.assertNotEqual(manager.id, SUPERUSER_ID)
        self.assertEqual(calls[2], (self.contract_user, False))

    def test_restricted_rendering_lets_contract_users_issue_and_sign(self):
        self.env["ir.config_parameter"].set_param(
            "mail.restrict.template.rendering", True
        )
        editor = self.env.ref("mail.group_mail_template_editor")
        self.env.ref("base.group_user").implied_ids -= editor
        user = new_test_user(
            self.env,
            login="sc_doc_restricted",
            groups="service_contract.group_service_contract_user",
        )
        self.assertFalse(user.has_group("mail.group_mail_template_editor"))
        contract = self._create_contract(user_id=user.id).with_user(user)
        contract.action_render_document()
        self.assertIn(contract.name, str(contract.document_body))
        contract.action_to_sign()
        contract.action_draft()
        self.template.document_body = '<p>V2 <t t-out="object.partner_id.name"/></p>'
        contract.action_render_document()
        self.assertIn("V2 Résidence du Lac", str(contract.document_body))
        contract.action_to_sign()
        contract._portal_sign("Anne Signer", SIGNATURE_PIXEL)
        self.assertEqual(contract.state, "running")
        self.assertIn("V2 Résidence du Lac", str(contract.document_body))
        # A user who is no template editor cannot slip code in either.
        with self.assertRaises(ValidationError):
            self.template.with_user(user).sudo().document_body = ATTACKS[0][0]


@tagged("post_install", "-at_install")
class TestSignedText(ServiceContractCase):
    """What the customer signs is the text sent to them, fingerprinted."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.template.document_body = '<p>Terms of <t t-out="object.name"/></p>'
        cls.contract = cls._create_contract()
        cls.contract.action_to_sign()

    def test_signed_text_is_the_text_sent_with_its_fingerprint(self):
        sent = str(self.contract.document_body)
        digest = self.contract._signature_fingerprint()
        self.assertEqual(self.contract.sent_document_hash, digest)
        # The template changes after sending: the customer still signs the
        # text they were shown.
        self.template.document_body = '<p>Worse terms of <t t-out="object.name"/></p>'
        self.contract._portal_sign("Anne Signer", SIGNATURE_PIXEL, digest)
        self.assertEqual(str(self.contract.document_body), sent)
        self.assertEqual(self.contract.document_hash, digest)
        html = self.env["ir.actions.report"]._render_qweb_html(
            "service_contract.action_report_service_contract", self.contract.ids
        )[0]
        self.assertIn(digest.encode(), html)

    def test_text_changed_since_sent_cannot_be_signed(self):
        shown = self.contract._signature_fingerprint()
        # Waiting for signature, the text cannot be edited...
        self.assertRefused(
            UserError,
            "waiting for the customer's signature",
            self.contract.write,
            {"document_body": "<p>Edited while waiting</p>"},
        )
        # ... and one changed below the guard is not signed either.
        with lifecycle_write():
            self.contract.document_body = "<p>Edited while waiting</p>"
        self.assertRefused(
            UserError,
            "changed since it was sent",
            self.contract._portal_sign,
            "Anne Signer",
            SIGNATURE_PIXEL,
            shown,
        )
        self.assertEqual(self.contract.state, "to_sign")
        self.assertFalse(self.contract.signature)
        # Signing a text other than the one shown is refused too.
        self.assertRefused(
            UserError,
            "changed since it was sent",
            self.contract._portal_sign,
            "Anne Signer",
            SIGNATURE_PIXEL,
            "0" * 64,
        )
        # The honest path: a new version is issued and sent again.
        self.contract.action_draft()
        self.contract.action_render_document()
        self.contract.action_to_sign()
        digest = self.contract._signature_fingerprint()
        self.contract._portal_sign("Anne Signer", SIGNATURE_PIXEL, digest)
        self.assertEqual(self.contract.state, "running")

    def test_document_is_only_issued_on_drafts(self):
        self.assertRefused(
            UserError,
            "set the contract back to draft",
            self.contract.action_render_document,
        )


@tagged("post_install", "-at_install")
class TestQuotationResponsible(ServiceContractCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.product.service_contract_template_id = cls.template
        cls.template.document_body = '<p>Terms of <t t-out="object.name"/></p>'
        cls.seller = new_test_user(
            cls.env, login="sc_doc_seller", groups="sales_team.group_sale_salesman"
        )
        cls.portal = new_test_user(
            cls.env,
            login="sc_doc_portal_buyer",
            groups="base.group_portal",
            parent_id=cls.customer.id,
        )

    def _accept_online(self, **values):
        order = (
            self.env["sale.order"]
            .with_user(self.seller)
            .sudo()
            .create(
                {
                    "partner_id": self.customer.id,
                    "order_line": [Command.create({"product_id": self.product.id})],
                    **values,
                }
            )
        )
        # As the portal's quotation acceptance does.
        order.with_user(self.portal).sudo().action_confirm()
        return order.service_contract_ids

    def test_portal_user_never_becomes_responsible(self):
        contract = self._accept_online(user_id=False)
        self.assertEqual(contract.user_id, self.seller, "who created the quotation")
        other = new_test_user(
            self.env, login="sc_doc_seller2", groups="sales_team.group_sale_salesman"
        )
        contract = self._accept_online(user_id=other.id)
        self.assertEqual(contract.user_id, other, "the salesperson")
        self.assertEqual(contract.state, "to_sign")
        self.assertTrue(contract.document_body)
