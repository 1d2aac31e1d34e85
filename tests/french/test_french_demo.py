"""The demo database a French maintenance company would have (tools/start,
built by install_french_demo in tools/lib.sh): the company is French and
everything its customers receive is in French. tools/test runs this folder
on that database only (CI or SC_FULL=1)."""

import re

from lxml import html as lxml_html

from odoo.tests import TransactionCase, tagged

# English words and formats that must never reach a French customer.
ENGLISH = re.compile(
    r"\b(?:years?|months?|weeks?|days?|Days?|[Tt]acit|in advance|in arrears"
    r"|Quarterly|Monthly|Yearly|Annually|Dear|Hello|Regards|Thank you"
    r"|Contract|Invoice|Customer|Amount|Due Date|Untaxed|Subtotal|Signed"
    r"|Payment|Renewal|Visit|Report|Breakdown|Boiler|Lift"
    r"|Building|Home|Office|USD)\b"
    r"|\$"
    # A US date: month/day/year with a day after the 12th.
    r"|\b(?:0?[1-9]|1[0-2])/(?:1[3-9]|2\d|3[01])/\d{4}\b"
    # A US amount: 2,400.00.
    r"|\b\d{1,3}(?:,\d{3})+\.\d{2}\b"
)
CUSTOMERS = (
    "partner_tilleuls",
    "partner_clinique",
    "partner_atelier",
    "partner_dupont",
    "partner_martin",
    "partner_bernard",
)


def text_of(markup):
    """The text a reader sees in an HTML document or fragment."""
    if isinstance(markup, bytes):
        markup = markup.decode()
    if not (markup or "").strip():
        return ""
    root = lxml_html.fragment_fromstring(markup, create_parent="div")
    for node in root.xpath("//script|//style|//head"):
        node.drop_tree()
    return " ".join(root.text_content().split())


@tagged("post_install", "-at_install")
class TestFrenchDemo(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.ref("base.main_company")
        cls.customers = cls.env["res.partner"].browse(
            [cls.env.ref(f"service_contract.{xmlid}").id for xmlid in CUSTOMERS]
        )
        cls.contracts = cls.env["service.contract"].search(
            [("partner_id", "child_of", cls.customers.ids)]
        )
        cls.visits = cls.contracts.intervention_ids
        cls.Report = cls.env["ir.actions.report"]

    def assertFrench(self, leaks, what, markup):
        text = text_of(markup)
        for match in ENGLISH.finditer(text):
            start = max(match.start() - 40, 0)
            leaks.append(
                f"{what}: {match.group()!r} in …{text[start : match.end() + 40]}…"
            )

    def _render(self, leaks, report, records, name):
        for record in records:
            html, _type = self.Report._render_qweb_html(report, record.ids)
            self.assertFrench(leaks, f"{name} {record.display_name}", html)

    def test_french_company(self):
        company = self.company
        self.assertEqual(company.country_id.code, "FR")
        self.assertEqual(company.currency_id.name, "EUR")
        self.assertEqual(company.chart_template, "fr")
        self.assertEqual(company.account_sale_tax_id.amount, 20.0)
        self.assertEqual(company.paperformat_id.format, "A4")
        self.assertTrue(company.company_registry and company.vat.startswith("FR"))
        self.assertEqual(company.partner_id.tz, "Europe/Paris")
        admin = self.env.ref("base.user_admin")
        self.assertEqual(admin.lang, "fr_FR")
        self.assertEqual(admin.tz, "Europe/Paris")
        # The customers, their contacts and sites speak French.
        people = self.env["res.partner"].search(
            [("id", "child_of", self.customers.ids)]
        )
        self.assertEqual(set(people.mapped("lang")), {"fr_FR"})

    def test_demo_records_named_in_french(self):
        product = self.env.ref("service_contract.product_boiler_service")
        self.assertEqual(
            product.with_context(lang="fr_FR").name, "Entretien annuel de la chaudière"
        )
        self.assertEqual(
            product.with_context(lang="en_US").name, "Annual boiler service"
        )
        template = self.env.ref("service_contract.template_lift")
        self.assertEqual(
            template.with_context(lang="fr_FR").name, "Entretien d'ascenseurs"
        )
        sites = self.env.ref("service_contract.partner_tilleuls_site_a")
        self.assertEqual(sites.name, "Bâtiment A")

    def test_dashboard_counts_in_the_singular(self):
        """The overdue card reads "1 facture", never "1 factures"."""
        Dashboard = self.env["service.contract.dashboard"].with_context(lang="fr_FR")
        arch = Dashboard.get_view(view_type="kanban")["arch"]
        self.assertIn(">1 facture<", arch)
        self.assertIn(" factures<", arch)

    def test_documents_in_french(self):
        leaks = []
        shown = self.contracts.filtered(lambda c: c.state != "draft")
        self.assertTrue(shown)
        for contract in shown:
            self.assertFrench(
                leaks, f"document {contract.name}", contract.document_body
            )
        self._render(
            leaks, "service_contract.action_report_service_contract", shown, "contract"
        )
        consumers = shown.filtered(lambda c: c.partner_id.legal_category == "consumer")
        self.assertTrue(consumers)
        self._render(
            leaks,
            "service_contract.action_report_chatel_reminder",
            consumers,
            "renewal reminder",
        )
        done = self.visits.filtered(lambda v: v.state == "done")
        self.assertTrue(done)
        self._render(
            leaks, "service_contract.action_report_intervention", done, "visit"
        )
        boilers = done.filtered("certificate_required")
        self.assertTrue(boilers)
        self._render(
            leaks,
            "service_contract.action_report_boiler_certificate",
            boilers,
            "certificate",
        )
        invoices = self.contracts.invoice_ids.filtered(lambda m: m.state == "posted")
        self.assertTrue(invoices)
        self._render(leaks, "account.account_invoices", invoices[:6], "invoice")
        revisions = self.contracts.revision_ids
        self.assertTrue(revisions)
        self._render(
            leaks,
            "service_contract.action_report_contract_revision",
            revisions,
            "revision letter",
        )
        self.assertFalse(leaks, "English in French documents:\n" + "\n".join(leaks))

    def test_mail_templates_in_french(self):
        records = {
            "service.contract": self.contracts,
            "service.intervention": self.visits,
            "service.contract.revision": self.contracts.revision_ids,
            "service.contract.amendment": self.contracts.amendment_ids,
        }
        templates = self.env["mail.template"].browse(
            self.env["ir.model.data"]
            .search(
                [("module", "=", "service_contract"), ("model", "=", "mail.template")]
            )
            .mapped("res_id")
        )
        leaks = []
        rendered = 0
        for template in templates:
            targets = records.get(template.model)
            if not targets:
                continue
            values = template._generate_template(targets.ids, ("subject", "body_html"))
            for res_id, vals in values.items():
                what = f"{template.name} ({template.model} {res_id})"
                self.assertFrench(leaks, f"{what} subject", vals.get("subject") or "")
                self.assertFrench(leaks, f"{what} body", vals.get("body_html") or "")
                rendered += 1
        self.assertGreater(rendered, 10)
        self.assertFalse(leaks, "English in French emails:\n" + "\n".join(leaks))
