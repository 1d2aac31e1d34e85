from odoo.tests import Form, tagged

from .common import ServiceContractCase


@tagged("post_install", "-at_install")
class TestPartner(ServiceContractCase):
    def test_legal_category_defaults_and_is_shared_with_contacts(self):
        self.assertEqual(self.customer.legal_category, "professional")
        person = self.env["res.partner"].create({"name": "Jean Martin"})
        self.assertEqual(person.legal_category, "consumer")
        self.assertEqual(self.signatory.legal_category, "professional")
        self.customer.legal_category = "consumer"
        self.assertEqual(self.signatory.legal_category, "consumer")

    def test_sites_are_children_of_their_own_kind(self):
        self.assertEqual(self.customer.service_site_ids, self.site_a | self.site_b)
        self.assertNotIn(self.signatory, self.customer.service_site_ids)
        self.site_a.site_contact_id = self.signatory
        self.site_a.site_access_instructions = "Code 1234"
        self.assertEqual(self.site_a.commercial_partner_id, self.customer)

    def test_contract_count_and_smart_button(self):
        self.assertEqual(self.customer.service_contract_count, 0)
        contract = self._create_contract()
        self._create_contract()
        self.customer.invalidate_recordset(["service_contract_count"])
        self.assertEqual(self.customer.service_contract_count, 2)
        self.assertEqual(self.signatory.service_contract_count, 2)
        action = self.customer.action_view_service_contracts()
        self.assertEqual(
            self.env["service.contract"]
            .search(action["domain"])
            .ids.count(contract.id),
            1,
        )
        self.assertEqual(len(self.env["service.contract"].search(action["domain"])), 2)

    def test_site_counts_the_contracts_covering_it(self):
        self._create_contract(site_ids=[(6, 0, self.site_a.ids)])
        self._create_contract(site_ids=[(6, 0, (self.site_a | self.site_b).ids)])
        self._create_contract()
        self.assertEqual(self.site_a.service_contract_count, 2)
        self.assertEqual(self.site_b.service_contract_count, 1)
        self.assertEqual(self.customer.service_contract_count, 3)
        action = self.site_b.action_view_service_contracts()
        self.assertEqual(len(self.env["service.contract"].search(action["domain"])), 1)

    def test_site_created_from_customer_form(self):
        with Form(self.customer) as form:
            with form.service_site_ids.new() as site:
                site.name = "Building C"
                site.city = "Annecy"
        site_c = self.customer.service_site_ids.filtered(
            lambda s: s.name == "Building C"
        )
        self.assertEqual(site_c.type, "site")
