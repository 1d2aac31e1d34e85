from datetime import date, datetime

from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import file_open, mute_logger

from ..models.service_lifecycle_guard import lifecycle_write
from .common import ServiceContractCase


@tagged("post_install", "-at_install")
class TestEquipment(ServiceContractCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.boilers = cls.env["service.equipment.category"].create(
            {"name": "SC Gas boilers", "regulation": "boiler"}
        )
        cls.boiler = cls.env["service.equipment"].create(
            {
                "name": "Gas boiler",
                "partner_id": cls.customer.id,
                "site_id": cls.site_a.id,
                "category_id": cls.boilers.id,
                "brand": "Saunier Duval",
                "serial_number": "SD-2019-0042",
            }
        )

    def test_display_name_and_count(self):
        self.assertEqual(self.boiler.display_name, "Gas boiler (SD-2019-0042)")
        self.assertEqual(self.boilers.equipment_count, 1)

    def test_site_of_another_customer_is_refused(self):
        other = self.env["res.partner"].create({"name": "Other", "is_company": True})
        self.assertRefused(
            ValidationError,
            "does not belong to the customer",
            self.boiler.write,
            {"partner_id": other.id},
        )
        self.assertEqual(self.boiler.partner_id, self.customer)

    def test_serial_number_is_unique_per_category(self):
        self.assertFalse(self.boiler.copy().serial_number)
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(IntegrityError),
            self.env.cr.savepoint(),
        ):
            self.boiler.copy({"serial_number": "SD-2019-0042"})
            self.env.flush_all()

    def test_portal_sees_only_its_own_equipment(self):
        portal = new_test_user(
            self.env,
            login="sc_equipment_portal",
            groups="base.group_portal",
            partner_id=self.env["res.partner"]
            .create({"name": "Paul Portal", "parent_id": self.customer.id})
            .id,
        )
        other = self.env["service.equipment"].create(
            {
                "name": "Other boiler",
                "partner_id": self.signatory.create(
                    {"name": "Elsewhere", "is_company": True}
                ).id,
            }
        )
        self.assertEqual(
            self.env["service.equipment"].with_user(portal).search([]), self.boiler
        )
        with self.assertRaises(AccessError):
            other.with_user(portal).read(["name"])
        with self.assertRaises(AccessError):
            self.boiler.with_user(portal).write({"name": "Mine"})


@tagged("post_install", "-at_install")
class TestEquipmentCoverage(ServiceContractCase):
    """Contracts covering equipment, and their visits per equipment."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.service_planning_horizon = 60
        cls.boilers = cls.env["service.equipment.category"].create(
            {"name": "SC Gas boilers", "regulation": "boiler"}
        )
        cls.boiler_a, cls.boiler_b = cls.env["service.equipment"].create(
            [
                {
                    "name": "Boiler A",
                    "partner_id": cls.customer.id,
                    "site_id": cls.site_a.id,
                    "category_id": cls.boilers.id,
                    "serial_number": "A-1",
                },
                {
                    "name": "Boiler B",
                    "partner_id": cls.customer.id,
                    "site_id": cls.site_b.id,
                    "category_id": cls.boilers.id,
                    "serial_number": "B-1",
                },
            ]
        )
        cls.other_customer = cls.env["res.partner"].create(
            {"name": "Hôtel du Port", "is_company": True}
        )
        cls.foreign_boiler = cls.env["service.equipment"].create(
            {"name": "Their boiler", "partner_id": cls.other_customer.id}
        )
        cls.contract_user = new_test_user(
            cls.env,
            login="sc_equipment_user",
            groups="base.group_user,service_contract.group_service_contract_user",
        )
        cls.technician = new_test_user(
            cls.env,
            login="sc_equipment_technician",
            groups="base.group_user,service_contract.group_service_contract_technician",
        )
        cls.salesperson = new_test_user(
            cls.env,
            login="sc_equipment_salesperson",
            groups="base.group_user,sales_team.group_sale_salesman",
        )

    def _contract(self, plan=None, **values):
        """A one-year contract from 2027-01-10 on both sites, with one visit
        plan (``plan`` values), signed."""
        plan_vals = {
            "name": "Boiler service",
            "count_per_year": 1,
            "per_equipment": True,
            "equipment_ids": [Command.set((self.boiler_a | self.boiler_b).ids)],
            "days_early": 10,
            "days_late": 20,
        } | (plan or {})
        values.setdefault("date_start", date(2027, 1, 10))
        values.setdefault("site_ids", [Command.set((self.site_a | self.site_b).ids)])
        return self._create_contract(
            duration=1,
            notice_period=1,
            visit_plan_ids=[Command.create(plan_vals)],
            sign=True,
            **values,
        )

    def _generate(self, contract, today):
        return contract._generate_interventions(today)

    def test_one_visit_per_item_per_year(self):
        contract = self._contract()
        visits = self._generate(contract, date(2027, 1, 1)).sorted("site_id")
        self.assertEqual(len(visits), 2)
        self.assertEqual(visits.mapped("date_due"), [date(2027, 1, 10)] * 2)
        self.assertEqual(visits.mapped("site_id"), self.site_a | self.site_b)
        self.assertEqual(visits[0].equipment_ids, self.boiler_a)
        self.assertEqual(visits[1].equipment_ids, self.boiler_b)
        self.assertEqual(
            visits.mapped("plan_equipment_id"), self.boiler_a | self.boiler_b
        )
        self.assertEqual(contract.visits_due_count, 2)
        # Regeneration creates nothing twice, whatever the day.
        self.assertFalse(self._generate(contract, date(2027, 1, 1)))
        self.assertFalse(self._generate(contract, date(2027, 1, 5)))
        self.assertEqual(len(contract.intervention_ids), 2)

    def test_two_visits_a_year_and_a_removed_item(self):
        contract = self._contract({"count_per_year": 2})
        self._generate(contract, date(2027, 1, 1))
        self.assertEqual(contract.visits_due_count, 4)
        self.boiler_b.state = "removed"
        # Its open visit is cancelled; it gets no new one.
        january_b = contract.intervention_ids.filtered(
            lambda v: v.plan_equipment_id == self.boiler_b
        )
        self.assertEqual(january_b.state, "cancel")
        july = self._generate(contract, date(2027, 6, 1))
        self.assertEqual(july.mapped("date_due"), [date(2027, 7, 10)])
        self.assertEqual(july.equipment_ids, self.boiler_a)
        self.assertEqual(july.site_id, self.site_a)
        contract.invalidate_recordset(["visits_due_count"])
        self.assertEqual(contract.visits_due_count, 2)
        self.assertFalse(self._generate(contract, date(2027, 6, 1)))

    def test_plan_per_site_lists_the_items_of_each_site(self):
        contract = self._contract({"per_equipment": False, "per_site": True})
        visits = self._generate(contract, date(2027, 1, 1))
        self.assertEqual(len(visits), 2)
        for visit in visits:
            self.assertFalse(visit.plan_equipment_id)
            self.assertEqual(visit.equipment_ids.site_id, visit.site_id)
        # A plan naming no equipment covers the items of the services.
        other = self._contract({"per_equipment": False, "equipment_ids": False})
        self.assertFalse(self._generate(other, date(2027, 1, 1)).equipment_ids)

    def test_per_equipment_plan_without_items_uses_the_services(self):
        contract = self._create_contract(
            date_start=date(2027, 1, 10),
            duration=1,
            notice_period=1,
            site_ids=[Command.set(self.site_a.ids)],
            visit_plan_ids=[
                Command.create({"name": "Boiler service", "per_equipment": True})
            ],
        )
        contract.line_ids[0].equipment_ids = self.boiler_a
        contract.action_sign()
        self.assertEqual(contract.equipment_ids, self.boiler_a)
        visits = self._generate(contract, date(2027, 1, 1))
        self.assertEqual(visits.equipment_ids, self.boiler_a)
        self.assertEqual(visits.plan_equipment_id, self.boiler_a)
        # The services of a signed contract, their items included, change
        # only through an amendment.
        with self.assertRaises(UserError):
            contract.line_ids[0].equipment_ids = self.boiler_a | self.boiler_b

    def test_generation_is_batched(self):
        """The number of queries does not grow with the number of items."""
        more = self.boiler_a.copy({"name": "Boiler A2"}) | self.boiler_b.copy(
            {"name": "Boiler B2"}
        )
        small = self._contract()
        large = self._contract(
            {"equipment_ids": [Command.set((self.boiler_a | self.boiler_b | more).ids)]}
        )
        self.env.invalidate_all()
        self.env.flush_all()

        def count(contract):
            start = self.env.cr.sql_log_count
            visits = self._generate(contract, date(2027, 1, 1))
            self.env.flush_all()
            return len(visits), self.env.cr.sql_log_count - start

        small_visits, small_queries = count(small)
        large_visits, large_queries = count(large)
        self.assertEqual((small_visits, large_visits), (2, 4))
        # Only the visit references (a sequence number each) cost a query
        # per visit.
        self.assertLessEqual(large_queries - small_queries, 2 * 2)

    def test_integrity(self):
        contract = self._create_contract(
            site_ids=[Command.set(self.site_a.ids)],
            visit_plan_ids=[Command.create({"name": "Boiler service"})],
        )
        plan, line = contract.visit_plan_ids, contract.line_ids[0]
        for record in (plan, line):
            self.assertRefused(
                ValidationError,
                "does not belong to the customer",
                record.write,
                {"equipment_ids": [Command.set(self.foreign_boiler.ids)]},
            )
            self.assertRefused(
                ValidationError,
                "not one of the contract's sites",
                record.write,
                {"equipment_ids": [Command.set(self.boiler_b.ids)]},
            )
            self.assertFalse(record.equipment_ids)
        self.assertRefused(
            ValidationError,
            "not both",
            plan.write,
            {"per_site": True, "per_equipment": True},
        )
        template_plan = self.env["service.visit.plan"].create(
            {"template_id": self.template.id, "name": "Boiler service"}
        )
        self.assertRefused(
            ValidationError,
            "a template names no equipment",
            template_plan.write,
            {"equipment_ids": [Command.set(self.boiler_a.ids)]},
        )
        # A template plan per equipment gives contract plans per equipment,
        # without items.
        template_plan.per_equipment = True
        copied = self._create_contract()
        self.assertTrue(copied.visit_plan_ids.per_equipment)
        self.assertFalse(copied.visit_plan_ids.equipment_ids)
        visit = self.env["service.intervention"].create(
            {"contract_id": contract.id, "date_due": date(2027, 2, 1)}
        )
        self.assertRefused(
            ValidationError,
            "does not belong to the customer",
            visit.write,
            {"equipment_ids": [Command.set(self.foreign_boiler.ids)]},
        )

    def test_contracts_of_an_item_and_its_history(self):
        draft = self._create_contract(
            site_ids=[Command.set(self.site_a.ids)],
            visit_plan_ids=[
                Command.create(
                    {
                        "name": "Boiler service",
                        "equipment_ids": [Command.set(self.boiler_a.ids)],
                    }
                )
            ],
        )
        Equipment = self.env["service.equipment"]
        self.assertFalse(self.boiler_a.contract_ids)
        contract = self._contract()
        self.env.invalidate_all()
        self.assertEqual(self.boiler_a.contract_ids, contract)
        self.assertEqual(self.boiler_a.contract_count, 1)
        self.assertEqual(contract.equipment_count, 2)
        self.assertNotIn(draft, self.boiler_a.contract_ids)
        self.assertEqual(
            Equipment.search([("contract_ids", "in", contract.ids)]),
            self.boiler_a | self.boiler_b,
        )
        self.assertEqual(
            Equipment.search([("contract_ids", "=", False)]) & self.foreign_boiler,
            self.foreign_boiler,
        )
        self.assertEqual(
            Equipment.search([("contract_ids", "ilike", contract.name)]),
            self.boiler_a | self.boiler_b,
        )
        self.assertEqual(
            contract.action_view_equipment()["domain"],
            [("id", "in", (self.boiler_a | self.boiler_b).ids)],
        )
        self.assertEqual(
            self.boiler_a.action_view_contracts()["domain"],
            [("id", "in", contract.ids)],
        )
        visits = self._generate(contract, date(2027, 1, 1))
        visit_a = visits.filtered(lambda v: v.plan_equipment_id == self.boiler_a)
        self.assertFalse(self.boiler_a.last_visit_date)
        with lifecycle_write():
            visit_a.write({"state": "done", "date_done": datetime(2027, 1, 12, 9, 0)})
        self.boiler_a.invalidate_recordset(["visit_count"])
        self.assertEqual(self.boiler_a.last_visit_date, date(2027, 1, 12))
        # Stored: lists search and sort on it.
        Equipment = self.env["service.equipment"]
        self.assertEqual(
            Equipment.search([("last_visit_date", "=", date(2027, 1, 12))]),
            self.boiler_a,
        )
        self.assertEqual(
            Equipment.search(
                [("id", "in", (self.boiler_a | self.boiler_b).ids)],
                order="last_visit_date",
            )[0],
            self.boiler_a,
        )
        self.assertEqual(self.boiler_a.visit_count, 1)
        self.assertEqual(self.boiler_a.intervention_ids, visit_a)
        self.assertEqual(
            Equipment.browse(self.boiler_a.action_view_visits()["domain"][0][2]),
            self.boiler_a,
        )

    def test_realistic_users(self):
        contract = self._contract(technician_id=self.technician.id)
        self._generate(contract, date(2027, 1, 1))
        # A contract user records equipment and sees what covers it.
        item = (
            self.env["service.equipment"]
            .with_user(self.contract_user)
            .create(
                {
                    "name": "Boiler A, new",
                    "partner_id": self.customer.id,
                    "site_id": self.site_a.id,
                }
            )
        )
        self.assertEqual(item.partner_id, self.customer)
        self.assertEqual(
            self.boiler_a.with_user(self.contract_user).contract_ids, contract
        )
        # The technician sees the items and their visits, not the contracts.
        as_technician = self.boiler_a.with_user(self.technician)
        self.assertEqual(as_technician.visit_count, 1)
        with self.assertRaises(AccessError):
            as_technician.read(["contract_ids"])
        # A salesperson without contract rights sees no equipment.
        with self.assertRaises(AccessError):
            self.boiler_a.with_user(self.salesperson).read(["name"])
        # Another company's user does not see them.
        company_b = self.env["res.company"].create({"name": "Company B"})
        manager_b = new_test_user(
            self.env,
            login="sc_equipment_manager_b",
            groups="base.group_user,service_contract.group_service_contract_manager",
            company_id=company_b.id,
            company_ids=[Command.set(company_b.ids)],
        )
        self.assertFalse(self.env["service.equipment"].with_user(manager_b).search([]))

    def test_import_template(self):
        templates = self.env["service.equipment"].get_import_templates()
        path = templates[0]["template"]
        self.assertEqual(path, "/service_contract/static/xls/service_equipment.csv")
        with file_open(path.lstrip("/")) as template:
            header = template.readline().strip().split(",")
        self.assertEqual(
            header,
            [
                "Customer",
                "Site",
                "Category",
                "Name",
                "Brand",
                "Model",
                "Serial Number",
                "Installed On",
                "Warranty Until",
            ],
        )

    def test_import_through_base_import(self):
        csv = (
            "Customer,Site,Category,Name,Brand,Model,Serial Number,Installed On,"
            "Warranty Until\n"
            f'{self.customer.name},"{self.site_a.display_name}",SC Gas boilers,'
            "Boiler room,Saunier Duval,ThemaPlus,SD-2020-1,2020-10-15,2025-10-14\n"
            f'{self.customer.name},"{self.site_b.display_name}",SC Gas boilers,'
            "Laundry,De Dietrich,Naneo,DD-2021-7,2021-03-01,\n"
        )
        wizard = (
            self.env["base_import.import"]
            .with_user(self.contract_user)
            .create(
                {
                    "res_model": "service.equipment",
                    "file": csv.encode(),
                    "file_name": "equipment.csv",
                    "file_type": "text/csv",
                }
            )
        )
        options = {
            "has_headers": True,
            "quoting": '"',
            "separator": ",",
            "date_format": "%Y-%m-%d",
        }
        preview = wizard.parse_preview(options)
        self.assertFalse(preview.get("error"), preview)
        fields = [
            "partner_id",
            "site_id",
            "category_id",
            "name",
            "brand",
            "model_name",
            "serial_number",
            "date_installed",
            "warranty_end",
        ]
        headers = preview["headers"]
        self.assertEqual(
            [preview["matches"].get(index, [None])[-1] for index in range(9)],
            fields,
        )
        result = wizard.execute_import(fields, headers, options)
        self.assertFalse(result["messages"], result["messages"])
        imported = self.env["service.equipment"].browse(result["ids"])
        self.assertEqual(imported.mapped("site_id"), self.site_a | self.site_b)
        self.assertEqual(imported.mapped("partner_id"), self.customer)
        self.assertEqual(imported[0].date_installed, date(2020, 10, 15))
        self.assertEqual(imported[0].warranty_end, date(2025, 10, 14))
        self.assertEqual(imported[1].brand, "De Dietrich")
        self.assertEqual(imported.category_id, self.boilers)
