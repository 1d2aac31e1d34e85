from datetime import date

import facturx
from freezegun import freeze_time
from lxml import etree

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import new_test_user, tagged

from .common import InvoicingCase

NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:"
    "ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}
SELLER_SIRET = "33417522100013"
BUYER_SIRET = "73282932000074"


@tagged("post_install", "-at_install")
class TestEInvoice(InvoicingCase):
    """A monthly contract invoice of June 2026 exported as Factur-X (EN 16931)
    by Odoo's own exporter, and the French mentions of the printed invoice."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.company_data["company"]
        france = cls.env.ref("base.fr")
        company.write(
            {
                "country_id": france.id,
                "street": "12 rue de la Paix",
                "zip": "75002",
                "city": "Paris",
                "vat": "FR23334175221",
                "company_registry": SELLER_SIRET,
                "phone": "+33 1 23 45 67 89",
                "email": "facturation@example.com",
            }
        )
        cls.customer.write(
            {
                "is_company": True,
                "country_id": france.id,
                "street": "1 quai du Lac",
                "zip": "74000",
                "city": "Annecy",
                "vat": "FR40303265045",
                "company_registry": BUYER_SIRET,
                "legal_category": "professional",
            }
        )
        # The company's own numbering, from 1: the contract is SC/2026/00001
        # (no gap: each test's numbers are rolled back with it).
        cls.env["ir.sequence"].create(
            {
                "implementation": "no_gap",
                "name": "Service Contract",
                "code": "service.contract",
                "prefix": "SC/%(year)s/",
                "padding": 5,
                "company_id": company.id,
            }
        )
        # The payment instructions (BG-16) Odoo's exporter requires.
        cls.env["res.partner.bank"].create(
            {
                "partner_id": company.partner_id.id,
                "company_id": company.id,
                "acc_number": "FR14 2004 1010 0505 0001 3M02 606",
            }
        )
        cls.accountant = new_test_user(
            cls.env,
            login="sc_einvoice_accountant",
            groups="base.group_user,account.group_account_invoice",
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
        )

    def _june_invoice(self, **contract_values):
        with freeze_time("2026-06-01"):
            contract = self._contract(start=date(2026, 6, 1), **contract_values)
        self._invoice(date(2026, 6, 1))
        move = contract.period_ids.move_id
        self.assertEqual(len(move), 1)
        return contract, move

    def _export(self, move):
        xml, errors = (
            self.env["account.edi.xml.cii"]
            .with_user(self.accountant)
            ._export_invoice(move.with_user(self.accountant))
        )
        # Odoo's own checks (EN 16931, payment instructions) find nothing.
        self.assertFalse(errors)
        # Raises if the XML does not follow the Factur-X EN 16931 schema.
        facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
        return etree.fromstring(xml)

    def _values(self, tree, xpath):
        """The non-empty texts of the nodes at ``xpath``."""
        return [node.text for node in tree.xpath(xpath, namespaces=NS) if node.text]

    def _periods(self, tree):
        """BT-73/74, the invoice's period, and BT-134/135 of each line (in
        the order of the lines), as (start, end) strings."""
        header = self._values(
            tree,
            "//ram:ApplicableHeaderTradeSettlement/ram:BillingSpecifiedPeriod"
            "/*/udt:DateTimeString",
        )
        lines = [
            tuple(
                self._values(
                    item,
                    "ram:SpecifiedLineTradeSettlement/ram:BillingSpecifiedPeriod"
                    "/*/udt:DateTimeString",
                )
            )
            for item in tree.xpath(
                "//ram:IncludedSupplyChainTradeLineItem", namespaces=NS
            )
        ]
        return tuple(header), lines

    def _assert_facturx(self, tree, type_code):
        self.assertEqual(
            self._values(tree, "//rsm:ExchangedDocument/ram:TypeCode"), [type_code]
        )
        agreement = "//ram:ApplicableHeaderTradeAgreement"
        # BT-12, the contract; BT-13, the customer's order.
        self.assertEqual(
            self._values(
                tree, f"{agreement}/ram:ContractReferencedDocument/ram:IssuerAssignedID"
            ),
            ["SC/2026/00001"],
        )
        self.assertEqual(
            self._values(
                tree,
                f"{agreement}/ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID",
            ),
            ["PO-2026-4521"],
        )
        # Seller and buyer: SIRET (legal registration) and VAT number.
        for party, siret, vat in (
            ("SellerTradeParty", SELLER_SIRET, "FR23334175221"),
            ("BuyerTradeParty", BUYER_SIRET, "FR40303265045"),
        ):
            self.assertEqual(
                self._values(
                    tree,
                    f"{agreement}/ram:{party}/ram:SpecifiedLegalOrganization/ram:ID",
                ),
                [siret],
            )
            self.assertEqual(
                self._values(
                    tree,
                    f"{agreement}/ram:{party}/ram:SpecifiedTaxRegistration/ram:ID",
                ),
                [vat],
            )
        # BT-73/74, the invoice's period, and BT-134/135, the line's.
        june = ["20260601", "20260630"]
        for settlement in (
            "//ram:ApplicableHeaderTradeSettlement",
            "//ram:IncludedSupplyChainTradeLineItem/ram:SpecifiedLineTradeSettlement",
        ):
            self.assertEqual(
                self._values(
                    tree,
                    f"{settlement}/ram:BillingSpecifiedPeriod/*/udt:DateTimeString",
                ),
                june,
            )

    def test_facturx_contract_invoice_and_credit_note(self):
        contract, move = self._june_invoice(customer_order_ref="PO-2026-4521")
        self.assertEqual(contract.name, "SC/2026/00001")
        self.assertEqual(move.ref, "PO-2026-4521")
        self.assertEqual(
            (
                move.invoice_line_ids.service_period_start,
                move.invoice_line_ids.service_period_end,
            ),
            (date(2026, 6, 1), date(2026, 6, 30)),
        )
        move.with_user(self.accountant).action_post()
        self._assert_facturx(self._export(move), "380")

        credit_note = move.with_user(self.accountant)._reverse_moves(
            [{"invoice_date": date(2026, 6, 15)}]
        )
        credit_note.action_post()
        self.assertEqual(
            (
                credit_note.invoice_line_ids.service_period_start,
                credit_note.invoice_line_ids.service_period_end,
            ),
            (date(2026, 6, 1), date(2026, 6, 30)),
        )
        self._assert_facturx(self._export(credit_note), "381")

    def test_invoice_without_contract_has_no_period(self):
        """Any other invoice keeps Odoo's export: no period, no contract."""
        move = self.init_invoice(
            "out_invoice", partner=self.customer, products=self.product, post=True
        )
        tree = self._export(move)
        self.assertFalse(tree.xpath("//ram:BillingSpecifiedPeriod", namespaces=NS))
        self.assertFalse(
            self._values(tree, "//ram:ContractReferencedDocument/ram:IssuerAssignedID")
        )

    def test_grouped_invoice_of_two_contracts(self):
        """One contract reference only: an invoice grouping two contracts
        gives none (each line names its contract), and no order reference
        when their contracts give different ones."""
        with freeze_time("2026-06-01"):
            first = self._contract(
                start=date(2026, 6, 1), group_invoices=True, customer_order_ref="PO-1"
            )
            second = self._contract(
                start=date(2026, 6, 1), group_invoices=True, customer_order_ref="PO-2"
            )
        self._invoice(date(2026, 6, 1))
        move = (first | second).period_ids.move_id
        self.assertEqual(len(move), 1)
        self.assertFalse(move.ref)
        move.action_post()
        tree = self._export(move)
        self.assertFalse(
            self._values(tree, "//ram:ContractReferencedDocument/ram:IssuerAssignedID")
        )
        self.assertEqual(
            self._values(
                tree,
                "//ram:ApplicableHeaderTradeSettlement/ram:BillingSpecifiedPeriod"
                "/*/udt:DateTimeString",
            ),
            ["20260601", "20260630"],
        )

    def _html(self, move):
        html = (
            self.env["ir.actions.report"]
            .with_user(self.accountant)
            ._render_qweb_html("account.account_invoices", move.ids)[0]
        )
        return html.decode() if isinstance(html, bytes) else html

    def test_mentions_professional_and_consumer(self):
        self.assertEqual(self.company_data["company"].sc_late_penalty_rate, 12.15)
        _contract, move = self._june_invoice()
        move.with_user(self.accountant).action_post()
        html = self._html(move)
        self.assertIn("Operation category: <span>Provision of services</span>", html)
        self.assertIn(
            "Late-payment penalties: yearly rate of 12.15 % (ECB rate plus 10 points)",
            html,
        )
        self.assertIn(
            "Flat-rate indemnity for recovery costs in case of late payment: "
            "EUR 40 (Code de commerce, articles L441-10 and D441-5).",
            html,
        )

        consumer = self.env["res.partner"].create(
            {"name": "Claire Martin", "country_id": self.env.ref("base.fr").id}
        )
        self.assertEqual(consumer.legal_category, "consumer")
        move = self.init_invoice(
            "out_invoice", partner=consumer, products=self.product, post=True
        )
        html = self._html(move)
        self.assertIn("Operation category: <span>Provision of services</span>", html)
        self.assertNotIn("Flat-rate indemnity", html)
        self.assertNotIn("Late-payment penalties", html)

    def test_mentions_follow_the_company_settings(self):
        settings = self.env["res.config.settings"].create(
            {
                "sc_late_penalty_rate": 13.5,
                "sc_late_penalty_note": "Penalties at {rate} % a year.",
                "sc_operation_category": "mixed",
            }
        )
        settings.execute()
        company = self.company_data["company"]
        self.assertEqual(company.sc_late_penalty_rate, 13.5)
        move = self.init_invoice(
            "out_invoice", partner=self.customer, products=self.product, post=True
        )
        html = self._html(move)
        self.assertIn("Penalties at 13.50 % a year.", html)
        self.assertIn("EUR 40", html)
        self.assertIn(
            "Operation category: <span>Delivery of goods and provision of "
            "services</span>",
            html,
        )
        company.sc_operation_category = False
        self.assertNotIn("Operation category", self._html(move))

    def test_negative_penalty_rate_refused(self):
        self.assertRefused(
            ValidationError,
            "cannot be negative",
            self.env["res.config.settings"].create,
            {"sc_late_penalty_rate": -1.0},
        )
        self.assertEqual(self.company_data["company"].sc_late_penalty_rate, 12.15)

    def test_mentions_in_french(self):
        """The standard mentions in the customer's language."""
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(["service_contract"], ["fr_FR"])
        self.customer.lang = "fr_FR"
        move = self.init_invoice(
            "out_invoice", partner=self.customer, products=self.product, post=True
        )
        html = self._html(move)
        self.assertIn(
            "Pénalités de retard\u00a0: taux annuel de 12,15\u00a0% (taux de la BCE "
            "majoré de 10 points)",
            html,
        )
        self.assertIn(
            "Indemnité forfaitaire pour frais de recouvrement en cas de retard de "
            "paiement\u00a0: 40\u00a0€ (Code de commerce, articles L441-10 et D441-5).",
            html,
        )
        self.assertIn(
            "Catégorie de l'opération\u00a0: <span>Prestations de services</span>",
            html,
        )

    # ------------------------------------------------------------------
    # The lines the module adds besides the periods: each carries the
    # service period it bills.
    # ------------------------------------------------------------------

    def _july_with_catch_up(self, adjust):
        """June invoiced at 310.00, ``adjust(contract)`` from 16 June, then
        the July invoice: July and the catch-up of 16-30 June."""
        with freeze_time("2026-06-10"):
            contract, _june = self._june_invoice()
            adjustment = adjust(contract)
            self._invoice(date(2026, 7, 1))
        july = contract.period_ids.filtered(
            lambda p: p.date_from == date(2026, 7, 1)
        ).move_id
        catch_up = july.invoice_line_ids.filtered(
            lambda ln: ln.display_type == "product"
            and ln.service_period_start != date(2026, 7, 1)
        )
        self.assertEqual(len(catch_up), 1)
        self.assertTrue(catch_up.price_unit)
        self.assertEqual(
            (catch_up.service_period_start, catch_up.service_period_end),
            (date(2026, 6, 16), date(2026, 6, 30)),
        )
        july.action_post()
        header, lines = self._periods(self._export(july))
        # The invoice's period covers its lines.
        self.assertEqual(header, ("20260616", "20260731"))
        self.assertCountEqual(
            lines, [("20260701", "20260731"), ("20260616", "20260630")]
        )
        return adjustment, catch_up

    def test_amendment_adjustment_line_carries_its_period(self):
        def amend(contract):
            action = contract.action_amend()
            amendment = self.env["service.contract.amendment"].browse(action["res_id"])
            amendment.date_effective = date(2026, 6, 16)
            amendment.line_ids.price_unit = 410.0
            amendment.action_sign()
            return amendment

        amendment, line = self._july_with_catch_up(amend)
        self.assertEqual(line.service_amendment_id, amendment)
        self.assertEqual(line.price_unit, 50.0)

    def test_price_revision_catch_up_line_carries_its_period(self):
        def revise(contract):
            contract._apply_revisions(
                contract._get_percentage_proposals(10.0, date=date(2026, 6, 16)),
                kind="percentage",
                percentage=10.0,
                send_letters=False,
            )
            return contract.revision_ids

        revision, line = self._july_with_catch_up(revise)
        self.assertEqual(len(revision), 1)
        self.assertEqual(line.price_unit, revision.catch_up_amount)

    def test_intervention_invoice_lines_carry_the_visit_day(self):
        company = self.company_data["company"]
        hour = self.env.ref("uom.product_uom_hour")
        company.service_labour_product_id = self._create_product(
            name="Labour, per hour",
            type="service",
            lst_price=60.0,
            uom_id=hour.id,
            uom_po_id=hour.id,
            taxes_id=[Command.set(self.tax_sale_a.ids)],
        )
        with freeze_time("2026-06-12 10:00:00"):
            contract = self._contract(start=date(2026, 6, 1))
            visit = self.env["service.intervention"].create(
                {
                    "contract_id": contract.id,
                    "kind": "corrective",
                    "is_covered": False,
                    "description": "Boiler leaking",
                    "date_due": date(2026, 6, 12),
                    "duration_actual": 2.0,
                }
            )
            visit.action_done()
            visit.action_create_invoice()
        move = visit.invoice_id
        self.assertEqual(
            set(
                move.invoice_line_ids.mapped(
                    lambda ln: (ln.service_period_start, ln.service_period_end)
                )
            ),
            {(date(2026, 6, 12), date(2026, 6, 12))},
        )
        move.action_post()
        header, lines = self._periods(self._export(move))
        self.assertEqual(header, ("20260612", "20260612"))
        self.assertEqual(lines, [("20260612", "20260612")])
