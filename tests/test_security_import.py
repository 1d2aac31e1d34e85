"""Import Contracts attacked as it is used: a manager's click sent twice (a
replayed JSON-RPC call) imports nothing twice, and a row never lands on
another customer that merely bears the same name (billed the wrong
company)."""

import base64
from datetime import timedelta

from psycopg2 import IntegrityError

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from . import test_contract_import as imp
from .common import RpcMixin, new_tour_user


@tagged("post_install", "-at_install")
class TestImportSecurity(RpcMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        imp.create_import_data(cls.env)
        company = cls.env.company
        cls.manager = new_tour_user(
            cls.env,
            "sc_import_sec_manager",
            "base.group_partner_manager,service_contract.group_service_contract_manager",
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
        )
        today = fields.Date.today()
        cls.start = (today - timedelta(days=400)).isoformat()
        cls.until = today.replace(day=1).isoformat()

    def _content(self, *rows):
        text = imp.HEADER + "".join(
            f"{ref};{customer};;{customer_ref};;Boiler maintenance (import);"
            f"IMP-BOILER;1;100;;{self.start};;;{self.until}\n"
            for ref, customer, customer_ref in rows
        )
        return base64.b64encode(text.encode()).decode()

    def _contracts(self, name):
        return self.env["service.contract"].search([("partner_id.name", "=", name)])

    @mute_logger("odoo.http")
    def test_import_replayed_creates_nothing_twice(self):
        """The same wizard's import sent twice (a double click, a replayed
        request): the second is refused, each contract exists once and is
        billed once from the day the former tool stopped."""
        wizard_id = self.rpc(
            self.manager,
            "service.contract.import",
            "create",
            {"file": self._content(("T-1", "Twice SARL", "")), "file_name": "c.csv"},
        )
        self.rpc(self.manager, "service.contract.import", "action_import", [wizard_id])
        self.assertEqual(len(self._contracts("Twice SARL")), 1)
        error = self.assertRpcRefused(
            self.manager, "service.contract.import", "action_import", [wizard_id]
        )
        self.assertIn("UserError", str(error))
        wizard = self.env["service.contract.import"].browse(wizard_id)
        with self.assertRaisesRegex(UserError, "already imported"):
            wizard.with_user(self.manager).action_import()
        self.assertEqual(len(self._contracts("Twice SARL")), 1)

    def test_same_contracts_imported_again_are_refused(self):
        """The former tool's file imported again (or another holding some of
        the same contracts): those already imported are refused, nothing is
        created, no contract is billed twice."""
        content = self._content(("A-1", "Again SARL", ""))
        for expected in ("done", "errors"):
            wizard_id = self.rpc(
                self.manager,
                "service.contract.import",
                "create",
                {"file": content, "file_name": "c.csv"},
            )
            self.rpc(
                self.manager, "service.contract.import", "action_import", [wizard_id]
            )
            wizard = self.env["service.contract.import"].browse(wizard_id)
            self.assertEqual(wizard.state, expected)
        contract = self._contracts("Again SARL")
        self.assertEqual(len(contract), 1)
        self.assertEqual(contract.takeover_ref, "A-1")
        self.assertEqual(wizard.error_ids.mapped("column"), ["contract_ref"])
        self.assertIn(contract.name, wizard.error_ids.message)
        # Two imports at once: the database keeps one of them.
        with (
            self.assertRaises(IntegrityError),
            mute_logger("odoo.sql_db"),
            self.env.cr.savepoint(),
        ):
            contract.copy({"takeover_ref": "A-1"})

    def test_same_name_other_reference_is_not_that_customer(self):
        """A customer found by name only, whose reference differs from the
        file's, is another company: the row is refused, nothing created."""
        homonym = self.env["res.partner"].create(
            {"name": "Homonym SARL", "is_company": True, "ref": "CLI-1"}
        )
        wizard_id = self.rpc(
            self.manager,
            "service.contract.import",
            "create",
            {
                "file": self._content(("H-1", "Homonym SARL", "CLI-2")),
                "file_name": "c.csv",
            },
        )
        self.rpc(self.manager, "service.contract.import", "action_import", [wizard_id])
        wizard = self.env["service.contract.import"].browse(wizard_id)
        self.assertEqual(wizard.state, "errors")
        self.assertEqual(wizard.error_ids.mapped("column"), ["customer"])
        self.assertIn("CLI-1", wizard.error_ids.message)
        self.assertFalse(self._contracts("Homonym SARL"))
        self.assertFalse(
            self.env["service.contract"].search([("partner_id", "=", homonym.id)])
        )
