import io
from datetime import date

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import html2plaintext
from odoo.tools.misc import format_date
from odoo.tools.pdf import PdfFileReader

from .common import SIGNATURE_PIXEL, ServiceContractCase


def _placeholder(expression):
    return f'<t t-out="{expression}"/>'


@tagged("post_install", "-at_install")
class TestDocument(ServiceContractCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.write({"vat": "FR12345678901", "street": "1 quai du Lac"})
        cls.template.write(
            {
                "document_body": "<p>"
                + " | ".join(
                    f"{expression}={_placeholder(expression)}"
                    for expression, _label in cls.env[
                        "service.contract"
                    ]._list_document_placeholders()
                )
                + "</p>",
                "visit_plan_ids": [
                    Command.create({"name": "Boiler service", "count_per_year": 2})
                ],
            }
        )
        cls.contract = cls._create_contract(
            site_ids=[Command.set((cls.site_a | cls.site_b).ids)],
            line_ids=[
                Command.create({"name": "Service A", "quantity": 1, "price_unit": 100}),
                Command.create({"name": "Service B", "quantity": 2, "price_unit": 50}),
                Command.create({"name": "Service C", "quantity": 3, "price_unit": 10}),
            ],
        )

    def _rendered(self, contract):
        contract.action_render_document()
        return str(contract.document_body)

    def test_every_placeholder_renders_its_value(self):
        body = self._rendered(self.contract)
        env = self.env
        expected = {
            "object.name": self.contract.name,
            "object.partner_id.name": "Résidence du Lac",
            "object.doc_partner_address": "1 quai du Lac",
            "object.partner_id.vat": "FR12345678901",
            "object.signatory_id.name": "Anne Signer",
            "object.doc_sites": "Building B",
            "object.doc_services": "Service C",
            "object.doc_visits": "Boiler service: 2 visits per year",
            "object.doc_firm_term": "2 years",
            "object.doc_renewal": "Tacit renewal for 1 year",
            "object.doc_notice": "2 months before the end of the term",
            "object.doc_notice_deadline": format_date(env, date(2025, 12, 28)),
            "object.doc_invoicing": "Monthly, in advance",
            "object.doc_date_start": format_date(env, date(2024, 3, 1)),
            "object.doc_date_end": format_date(env, date(2026, 2, 28)),
            "object.company_id.name": self.company.name,
        }
        body = body.replace("&#39;", "'")
        for expression, value in expected.items():
            # each placeholder is followed by its own value
            start = body.index(f"{expression}=") + len(expression) + 1
            following = body[start:].split(" | ", 1)[0]
            self.assertIn(value, following, expression)
        self.assertIn("3 quai du Lac", body)  # second site's address
        self.assertIn("Service A", body)
        self.assertIn("Service B", body)
        self.assertIn("230.00", body.replace(",", ""))  # total of the lines

    def test_empty_lists_read_as_sentences(self):
        """A list a placeholder names (sites, services, visits) that is
        empty renders a sentence, not an empty list after "the following
        sites:"."""
        contract = self._create_contract(site_ids=[Command.clear()])
        contract.visit_plan_ids.unlink()
        contract.line_ids.unlink()
        body = html2plaintext(self._rendered(contract)).replace("&#39;", "'")
        self.assertIn(
            "object.doc_sites= /No site designated: the services are performed "
            "at the customer's address./",
            body,
        )
        self.assertIn("object.doc_services= /No service listed./", body)
        self.assertIn("object.doc_visits= /No preventive visit planned./", body)
        # In French too.
        self.env["res.lang"]._activate_lang("fr_FR")
        french = contract.with_context(lang="fr_FR")
        self.assertIn("Aucun site désigné", str(french.doc_sites))
        self.assertIn("Aucune prestation", str(french.doc_services))
        self.assertIn("Aucune visite préventive", str(french.doc_visits))

    def test_send_by_email_dialog_has_a_title(self):
        """The composer opens titled (not "Odoo"), in the user's language."""
        action = self.contract.action_send_by_email()
        self.assertEqual(action["res_model"], "mail.compose.message")
        self.assertEqual(action["name"], "Send by Email")
        self.env["res.lang"]._activate_lang("fr_FR")
        french = self.contract.with_context(lang="fr_FR")
        self.assertEqual(french.action_send_by_email()["name"], "Envoyer par e-mail")

    def test_placeholders_of_every_concern_listed_in_order(self):
        """The document's own placeholders and those the concerns add from
        their files (price revision, visits), in the order of the list."""
        self.assertEqual(
            [
                expression
                for expression, _label in self.env[
                    "service.contract"
                ]._list_document_placeholders()
            ],
            [
                "object.name",
                "object.partner_id.name",
                "object.doc_partner_address",
                "object.partner_id.vat",
                "object.signatory_id.name",
                "object.doc_sites",
                "object.doc_services",
                "object.doc_amount_annual",
                "object.doc_revision_clause",
                "object.doc_visits",
                "object.doc_firm_term",
                "object.doc_renewal",
                "object.doc_notice",
                "object.doc_notice_deadline",
                "object.doc_invoicing",
                "object.payment_term_id.name",
                "object.doc_date_start",
                "object.doc_date_end",
                "object.doc_today",
                "object.company_id.name",
                "object.doc_company_address",
                "object.company_id.vat",
                "object.company_id.company_registry",
            ],
        )
        help_text = self.template.placeholder_help
        self.assertLess(
            help_text.index("object.doc_revision_clause"),
            help_text.index("object.doc_visits"),
        )
        self.assertIn("Number and frequency of visits", help_text)

    def test_unknown_placeholder_is_refused_at_save(self):
        self.assertRefused(
            ValidationError,
            "unknown placeholder.*object.partner_id.credit_limit",
            self.template.write,
            {"document_body": '<p><t t-out="object.partner_id.credit_limit"/></p>'},
        )
        self.assertRefused(
            ValidationError,
            "unknown placeholder.*object.env",
            self.template.write,
            {"document_body": "<p><t t-out=\"object.env['res.users']\"/></p>"},
        )
        self.assertIn("object.doc_sites", str(self.template.document_body))

    def test_customer_data_is_escaped(self):
        self.customer.name = "<script>alert(1)</script>"
        body = self._rendered(self.contract)
        self.assertNotIn("<script>", body)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", body)

    def test_signed_document_does_not_change_with_the_template(self):
        self.contract.action_to_sign()
        self.contract.action_sign()
        frozen = str(self.contract.document_body)
        self.assertTrue(self.contract.document_frozen)
        self.template.document_body = '<p>New version: <t t-out="object.name"/></p>'
        self.assertEqual(str(self.contract.document_body), frozen)
        with self.assertRaisesRegex(UserError, "cannot change"):
            self.contract.action_render_document()
        self.assertEqual(str(self.contract.document_body), frozen)

    def test_printing_a_signed_contract_serves_the_signed_pdf(self):
        self.contract.action_to_sign()
        self.contract._portal_sign("Anne Signer", SIGNATURE_PIXEL)
        signed = self.contract.signed_document_id
        self.assertTrue(signed.raw.startswith(b"%PDF"))
        pdfs = self.env["ir.attachment"].search(
            [
                ("res_model", "=", "service.contract"),
                ("res_id", "=", self.contract.id),
                ("mimetype", "=", "application/pdf"),
            ]
        )
        self.assertEqual(pdfs, signed, "stored once")
        self.template.document_body = "<p>Changed</p>"
        report = self.env["ir.actions.report"].with_context(force_report_rendering=True)
        again, _type = report._render_qweb_pdf(
            "service_contract.action_report_service_contract", self.contract.ids
        )
        self.assertEqual(again, signed.raw)

    def test_new_version_from_draft_only(self):
        self.contract.action_to_sign()
        self.contract.action_draft()
        self.template.document_body = '<p>Version 2 <t t-out="object.name"/></p>'
        self.assertIn("Version 2", self._rendered(self.contract))

    def test_pdf_contains_customer_notice_deadline_and_signatures(self):
        """The text is checked on the HTML the PDF is printed from: the text
        layer of the PDF depends on the wkhtmltopdf build (Debian's draws the
        text as paths), the HTML does not. The PDF itself must be a valid
        document of about three pages (the text also needs the patched-Qt
        wkhtmltopdf build to be selectable, see README)."""
        self.contract.action_render_document()
        report = self.env.ref("service_contract.action_report_service_contract")
        self.assertEqual(report.model, "service.contract")
        Report = self.env["ir.actions.report"].with_context(force_report_rendering=True)
        html, _html_type = Report._render_qweb_html(report, self.contract.ids)
        text = html2plaintext(html.decode())
        self.assertIn("Résidence du Lac", text)
        self.assertIn(format_date(self.env, date(2025, 12, 28)), text)
        self.assertIn("For the Provider", text)
        self.assertIn("For the Customer", text)
        self.assertIn("Anne Signer", text)
        pdf, report_type = Report._render_qweb_pdf(report, self.contract.ids)
        self.assertEqual(report_type, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        # Parties, document and services, then terms and signatures: three
        # pages with Debian's wkhtmltopdf; another build's fonts may move a
        # page break, not the document's length by more than a page.
        self.assertIn(len(reader.pages), (2, 3, 4))
