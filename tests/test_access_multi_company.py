from datetime import date

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import ServiceContractCase

INCOMPATIBLE = "Incompatible companies"


@tagged("post_install", "-at_install")
class TestMultiCompany(ServiceContractCase):
    """Company A (the test company) and company B see nothing of each other."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "Company B"})
        cls.template.write(
            {
                "company_id": cls.company.id,
                "visit_plan_ids": [Command.create({"name": "Boiler service"})],
            }
        )
        cls.contract = cls._create_running_contract()
        cls.visit = cls.env["service.intervention"].create(
            {"contract_id": cls.contract.id, "date_due": date(2025, 2, 1)}
        )
        cls.user_b = new_test_user(
            cls.env,
            login="sc_mc_manager_b",
            groups="base.group_user,service_contract.group_service_contract_manager",
            company_id=cls.company_b.id,
            company_ids=[Command.set(cls.company_b.ids)],
        )
        cls.technician_a = new_test_user(
            cls.env,
            login="sc_mc_technician_a",
            groups="base.group_user,service_contract.group_service_contract_technician",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.technician_b = new_test_user(
            cls.env,
            login="sc_mc_technician_b",
            groups="base.group_user,service_contract.group_service_contract_technician",
            company_id=cls.company_b.id,
            company_ids=[Command.set(cls.company_b.ids)],
        )
        cls.product_a = cls.env["product.product"].create(
            {"name": "Lift service A", "type": "service", "company_id": cls.company.id}
        )
        cls.contract_b = (
            cls.env["service.contract"]
            .with_company(cls.company_b)
            .create(
                {
                    "partner_id": cls.customer.id,
                    "company_id": cls.company_b.id,
                    "date_start": date(2024, 3, 1),
                    "line_ids": [Command.create({"name": "Cover", "price_unit": 50})],
                }
            )
        )
        cls.contract_b.action_sign()
        cls.visit_b = cls.env["service.intervention"].create(
            {"contract_id": cls.contract_b.id, "date_due": date(2025, 2, 1)}
        )

    def test_company_b_reads_nothing_of_company_a(self):
        records = {
            "service.contract.template.line": self.template.line_ids,
            "service.visit.plan": self.template.visit_plan_ids
            | self.contract.visit_plan_ids,
            "service.contract.period": self.contract.period_ids,
            "service.intervention": self.visit,
        }
        for model, recs in records.items():
            with self.subTest(model=model):
                self.assertTrue(recs)
                Model = self.env[model].with_user(self.user_b)
                self.assertFalse(Model.search([("id", "in", recs.ids)]))
                with self.assertRaises(AccessError):
                    recs.with_user(self.user_b).read(["company_id"])
        # Template lines carry their template's company.
        self.assertEqual(self.template.line_ids.company_id, self.company)
        # Honest path: company B's own records.
        self.assertEqual(
            self.contract_b.period_ids.with_user(self.user_b).read(["amount"])[0][
                "amount"
            ],
            self.contract_b.period_ids[0].amount,
        )
        self.assertTrue(self.visit_b.with_user(self.user_b).read(["name"]))

    def test_shared_template_lines_are_read_by_all(self):
        template = self.env["service.contract.template"].create(
            {"name": "Shared", "line_ids": [Command.create({"name": "Cover"})]}
        )
        self.assertTrue(template.line_ids.with_user(self.user_b).read(["name"]))

    def test_technician_of_a_is_not_assigned_to_b(self):
        for record, vals in (
            (self.visit_b, {"user_id": self.technician_a.id}),
            (self.contract_b, {"technician_id": self.technician_a.id}),
        ):
            self.assertRefused(UserError, INCOMPATIBLE, record.write, vals)
        self.assertFalse(self.visit_b.user_id)
        # Honest path: company B's technician.
        self.visit_b.user_id = self.technician_b
        self.visit.user_id = self.technician_a
        self.assertEqual(self.visit_b.user_id, self.technician_b)

    def test_mismatched_companies_are_refused(self):
        # A visit plan of company B with a service of company A.
        self.assertRefused(
            UserError,
            INCOMPATIBLE,
            self.env["service.visit.plan"].create,
            {
                "contract_id": self.contract_b.id,
                "name": "Lift",
                "product_id": self.product_a.id,
            },
        )
        self.assertFalse(self.contract_b.visit_plan_ids)
        # A template line of a company B template with a product of company A.
        template_b = self.env["service.contract.template"].create(
            {"name": "B", "company_id": self.company_b.id}
        )
        self.assertRefused(
            UserError,
            INCOMPATIBLE,
            self.env["service.contract.template.line"].create,
            {"template_id": template_b.id, "product_id": self.product_a.id},
        )
        # A period of company B's contract created by a user of company A.
        user_a = new_test_user(
            self.env,
            login="sc_mc_manager_a",
            groups="base.group_user,service_contract.group_service_contract_manager",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        periods = self.contract_b.period_ids
        self.assertRefused(
            AccessError,
            "",
            self.env["service.contract.period"].with_user(user_a).create,
            {
                "contract_id": self.contract_b.id,
                "date_from": date(2030, 1, 1),
                "date_to": date(2030, 1, 31),
                "invoice_date": date(2030, 1, 1),
                "amount": 1.0,
            },
        )
        self.assertEqual(self.contract_b.period_ids, periods)
        # Honest path: a plan with a service of its own company.
        product_b = self.env["product.product"].create(
            {"name": "Lift B", "type": "service", "company_id": self.company_b.id}
        )
        plan = self.env["service.visit.plan"].create(
            {
                "contract_id": self.contract_b.id,
                "name": "Lift",
                "product_id": product_b.id,
            }
        )
        self.assertEqual(plan.company_id, self.company_b)
