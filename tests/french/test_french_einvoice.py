"""Chorus Pro: on the French demo database, where l10n_fr_facturx_chorus_pro
is installed (tools/lib.sh, install_french_demo), a contract invoice carries
the contract's references to Chorus Pro's fields and its Factur-X export
names them (tools/test runs this folder on that database only)."""

from lxml import etree

from odoo.tests import TransactionCase, tagged

NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:"
    "ReusableAggregateBusinessInformationEntity:100",
}
AGREEMENT = "//ram:ApplicableHeaderTradeAgreement"


@tagged("post_install", "-at_install")
class TestFrenchEInvoice(TransactionCase):
    def _values(self, tree, xpath):
        return [node.text for node in tree.xpath(xpath, namespaces=NS) if node.text]

    def test_chorus_pro_references_exported(self):
        self.assertIn("contract_reference", self.env["account.move"]._fields)
        contract = self.env.ref("service_contract.contract_tilleuls_lift")
        contract.write(
            {
                "customer_order_ref": "EJ-2026-0042",
                "customer_service_code": "SERVICE-TECHNIQUE",
            }
        )
        period = contract.period_ids.filtered(lambda p: p.state == "to_invoice")
        period = period.sorted("date_from")[:1]
        _moves, failures = period._create_invoices()
        self.assertFalse(failures)
        move = period.move_id
        self.assertEqual(len(move), 1)
        self.assertEqual(
            (
                move.purchase_order_reference,
                move.buyer_reference,
                move.contract_reference,
            ),
            ("EJ-2026-0042", "SERVICE-TECHNIQUE", contract.name),
        )
        if move.state == "draft":
            move.action_post()
        xml, errors = self.env["account.edi.xml.cii"]._export_invoice(move)
        self.assertFalse(errors)
        tree = etree.fromstring(xml)
        # BT-10, the buyer reference: the "service exécutant".
        self.assertEqual(
            self._values(tree, f"{AGREEMENT}/ram:BuyerReference"),
            ["SERVICE-TECHNIQUE"],
        )
        # BT-12, the contract ("numéro de marché").
        self.assertEqual(
            self._values(
                tree, f"{AGREEMENT}/ram:ContractReferencedDocument/ram:IssuerAssignedID"
            ),
            [contract.name],
        )
        # BT-13, the order ("engagement juridique").
        self.assertEqual(
            self._values(
                tree,
                f"{AGREEMENT}/ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID",
            ),
            ["EJ-2026-0042"],
        )
