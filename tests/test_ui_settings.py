from odoo.tests import HttpCase, TransactionCase, tagged


class SettingsCase(TransactionCase):
    """The First Steps block of the module's settings."""

    def test_default_journal_is_the_invoicing_one(self):
        """The journal the block names is the one contract invoices go to
        without a journal on the contract or its template: the company's
        first sales journal."""
        company = self.env["res.company"].create({"name": "SC Settings Company"})
        journal = self.env["account.journal"].create(
            {
                "name": "SC Settings Sales",
                "code": "SCSS",
                "type": "sale",
                "sequence": 1,
                "company_id": company.id,
            }
        )
        settings = self.env["res.config.settings"].with_company(company).create({})
        self.assertEqual(settings.service_default_journal_id, journal)

    def test_sequence_link_opens_the_contract_sequence(self):
        action = (
            self.env["res.config.settings"]
            .create({})
            .action_open_service_contract_sequence()
        )
        sequence = self.env["ir.sequence"].browse(action["res_id"])
        self.assertEqual(sequence.code, "service.contract")


@tagged("post_install", "-at_install")
class TestSettingsUi(HttpCase):
    def test_settings_tour(self):
        """The block renders at the top of the module's settings and its
        sequence link works (as the administrator who installs it)."""
        self.env["account.journal"].create(
            {
                "name": "SC Settings Sales",
                "code": "SCSS",
                "type": "sale",
                "sequence": 0,
                "company_id": self.env.ref("base.main_company").id,
            }
        )
        self.start_tour(
            "/odoo/action-service_contract.service_contract_config_settings_action",
            "service_contract_settings_tour",
            login="admin",
        )
