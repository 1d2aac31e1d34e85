"""Import Contracts (README.md, "Bringing existing contracts in"): a former
tool's export of running contracts, every row checked first, then created,
signed and taken over; nothing invoiced twice, nothing created when a row is
wrong; contract managers only."""

import base64
import csv
import io
import logging
import time
from datetime import date, timedelta

from freezegun import freeze_time

from odoo import Command, fields
from odoo.tests import HttpCase, tagged
from odoo.tools import file_open, mute_logger

from .common import InvoicingCase, RpcMixin, ServiceContractCase, new_tour_user

_logger = logging.getLogger(__name__)

TODAY = "2026-12-10"
SAMPLE = "service_contract/tests/data/contracts_200.csv"
BROKEN = "service_contract/tests/data/contracts_200_broken.csv"
HEADER = (
    "contract_ref;customer;customer_vat;customer_ref;site;template;product;"
    "quantity;price_unit;frequency;start_date;term_months;signature_date;"
    "invoiced_until\n"
)


def create_import_data(env):
    """The products and templates the sample file names."""
    env["product.product"].create(
        [
            {"name": name, "default_code": code, "type": "service", "list_price": p}
            for name, code, p in (
                ("Boiler servicing", "IMP-BOILER", 180.0),
                ("Heat pump servicing", "IMP-HEATPUMP", 240.0),
                ("Call-out cover", "IMP-CALLOUT", 60.0),
            )
        ]
    )
    terms = {
        "duration": 1,
        "duration_unit": "year",
        "renewal_type": "tacit",
        "renewal_duration": 1,
        "renewal_unit": "year",
        "notice_period": 1,
        "notice_unit": "month",
        "invoicing_frequency": "month",
        "invoicing_mode": "advance",
        "prorata": True,
    }
    env["service.contract.template"].create(
        [
            {"name": "Boiler maintenance (import)", **terms},
            {
                "name": "Heat pump maintenance (import)",
                **terms,
                "visit_plan_ids": [
                    Command.create({"name": "Yearly check", "count_per_year": 1})
                ],
            },
        ]
    )


@tagged("post_install", "-at_install")
class TestContractImport(InvoicingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        create_import_data(cls.env)
        company = cls.company_data["company"]
        cls.manager = new_tour_user(
            cls.env,
            "sc_import_manager",
            "base.group_partner_manager,service_contract.group_service_contract_manager",
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
        )

    def _wizard(self, content, name="contracts.csv"):
        return (
            self.env["service.contract.import"]
            .with_user(self.manager)
            .create({"file": base64.b64encode(content), "file_name": name})
        )

    def _sample(self, path):
        with file_open(path, "rb") as file:
            return file.read()

    def _counts(self):
        return (
            self.env["service.contract"].search_count([]),
            self.env["res.partner"].with_context(active_test=False).search_count([]),
            self.env["service.contract.period"].search_count([]),
        )

    @freeze_time(TODAY)
    def test_import_200_contracts_then_invoice_no_past_period(self):
        content = self._sample(SAMPLE)
        wizard = self._wizard(content)
        started = time.perf_counter()
        wizard.action_import()
        _logger.info("Imported 200 contracts in %.1f s", time.perf_counter() - started)
        self.assertFalse(wizard.error_ids.mapped("message"))
        self.assertEqual(wizard.state, "done")
        contracts = wizard.contract_ids.sorted("id")
        self.assertEqual(len(contracts), 200)
        self.assertEqual(set(contracts.mapped("state")), {"running"})
        self.assertTrue(all(contract.period_ids for contract in contracts))
        # Each contract's invoiced_until, in the order of the file.
        rows = list(csv.DictReader(io.StringIO(content.decode()), delimiter=";"))
        until = {}
        for row in rows:
            day = row["invoiced_until"]
            until.setdefault(
                row["contract_ref"],
                date.fromisoformat(day)
                if "-" in day
                else date(int(day[6:]), int(day[3:5]), int(day[:2])),
            )
        until_by_contract = dict(zip(contracts, until.values(), strict=True))
        self.assertEqual(len(contracts.partner_id), len({r["customer"] for r in rows}))
        self.assertEqual(
            contracts[0]
            .period_ids.filtered("invoiced_elsewhere")[:1]
            .invoiced_elsewhere_ref,
            "Imported as OLD-0001",
        )
        for contract, day in until_by_contract.items():
            periods = contract.period_ids
            self.assertEqual(
                periods.filtered(lambda p, d=day: p.invoice_date < d),
                periods.filtered(lambda p: p.state == "elsewhere"),
                contract.name,
            )
        # No visit in the past.
        visits = contracts.intervention_ids
        self.assertTrue(visits)
        self.assertGreaterEqual(min(visits.mapped("date_due")), date(2026, 12, 10))
        # The invoicing cron bills only the periods from the takeover on.
        self.env["service.contract"]._cron_create_invoices(today=date(2026, 12, 10))
        invoiced = contracts.period_ids.filtered("move_id")
        self.assertTrue(invoiced)
        for period in invoiced:
            self.assertGreaterEqual(
                period.invoice_date, until_by_contract[period.contract_id]
            )
        self.assertFalse(
            contracts.period_ids.filtered(lambda p: p.invoiced_elsewhere and p.move_id)
        )
        self.assertFalse(
            contracts.period_ids.filtered(
                lambda p: p.state == "to_invoice"
                and p.invoice_date <= date(2026, 12, 10)
            )
        )

    @freeze_time(TODAY)
    def test_broken_rows_reported_nothing_created(self):
        before = self._counts()
        wizard = self._wizard(self._sample(BROKEN))
        wizard.action_import()
        self.assertEqual(wizard.state, "errors")
        self.assertEqual(
            [(e.row, e.column) for e in wizard.error_ids],
            [
                (5, "product"),
                (40, "start_date"),
                (101, "frequency"),
                (202, "price_unit"),
                (290, "customer"),
            ],
        )
        self.assertIn("NO-SUCH-PRODUCT", wizard.error_ids[0].message)
        self.assertFalse(wizard.contract_ids)
        self.assertEqual(self._counts(), before)

    @freeze_time(TODAY)
    def test_errors_in_french(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(
            ["service_contract"], ["fr_FR"], overwrite=True
        )
        content = (
            HEADER + "X1;Client;;;;;IMP-BOILER;1;12;hebdo;2025-01-01;;;2026-12-01\n"
        ).encode()
        wizard = self._wizard(content).with_context(lang="fr_FR")
        wizard.action_import()
        arch = (
            self.env.ref("service_contract.service_contract_import_view_form")
            .with_context(lang="fr_FR")
            .arch_db
        )
        self.assertIn("Télécharger un fichier d'exemple", arch)
        self.assertIn("Rien n'a été importé", arch)
        self.assertEqual(
            wizard.error_ids.mapped("message"),
            [
                "Fréquence inconnue hebdo\u00a0: month, quarter, semester ou year "
                "(mensuel, trimestriel, semestriel ou annuel)."
            ],
        )

    @freeze_time(TODAY)
    def test_contract_checks(self):
        """A row of a contract that disagrees with its first row, a term that
        ended without tacit renewal, an invoicing beyond the current term."""
        self.env["service.contract.template"].create(
            {"name": "Express (import)", "renewal_type": "express"}
        )
        content = (
            HEADER
            + "A;Client A;;;;;IMP-BOILER;1;12;month;2025-01-01;;;2026-12-01\n"
            + "A;Client A;;;;;IMP-CALLOUT;1;12;year;2025-01-01;;;2026-12-01\n"
            + "B;Client B;;;;Express (import);IMP-BOILER;1;12;;2024-01-01;;;"
            + "2026-12-01\n"
            + "C;Client C;;;;;IMP-BOILER;1;12;;2026-06-01;;2026-05-01;2027-08-01\n"
            + "D;Client D;;;;;IMP-BOILER;1;12;;2026-06-01;;2027-01-01;2026-12-01\n"
        ).encode()
        before = self._counts()
        wizard = self._wizard(content)
        wizard.action_import()
        self.assertEqual(
            [(e.row, e.column) for e in wizard.error_ids],
            [
                (3, "frequency"),
                (4, "invoiced_until"),
                (5, "invoiced_until"),
                (6, "signature_date"),
            ],
        )
        self.assertEqual(self._counts(), before)

    @freeze_time(TODAY)
    def test_xlsx_and_existing_customer(self):
        import openpyxl  # noqa: PLC0415 - an Odoo requirement

        customer = self.env["res.partner"].create(
            {"name": "Syndic Existing", "is_company": True, "ref": "CLI-X"}
        )
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(HEADER.strip().split(";"))
        sheet.append(
            [
                "X-1",
                "Another name in the old tool",
                None,
                "CLI-X",
                "Chaufferie",
                "Boiler maintenance (import)",
                "IMP-BOILER",
                2,
                180.5,
                "trimestriel",
                date(2024, 4, 1),
                None,
                date(2024, 3, 15),
                date(2026, 10, 1),
            ]
        )
        stream = io.BytesIO()
        book.save(stream)
        wizard = self._wizard(stream.getvalue(), "contracts.xlsx")
        wizard.action_import()
        self.assertFalse(wizard.error_ids.mapped("message"))
        contract = wizard.contract_ids
        self.assertEqual(contract.partner_id, customer)
        self.assertEqual(contract.site_ids.mapped("name"), ["Chaufferie"])
        self.assertEqual(contract.invoicing_frequency, "quarter")
        self.assertEqual(contract.date_signed, date(2024, 3, 15))
        self.assertEqual(contract.line_ids.price_unit, 180.5)
        self.assertEqual(
            contract.period_ids.filtered(lambda p: p.state == "to_invoice")[
                :1
            ].date_from,
            date(2026, 10, 1),
        )


@tagged("post_install", "-at_install")
class TestContractImportAccess(RpcMixin, HttpCase):
    """Only contract managers import contracts, through the UI or RPC."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        create_import_data(cls.env)
        company = cls.env.company

        def user(login, groups):
            return new_tour_user(
                cls.env,
                login,
                f"base.group_partner_manager,{groups}",
                company_id=company.id,
                company_ids=[Command.set(company.ids)],
            )

        cls.manager = user(
            "sc_import_rpc_manager", "service_contract.group_service_contract_manager"
        )
        cls.others = [
            user("sc_import_rpc_user", "service_contract.group_service_contract_user"),
            user(
                "sc_import_rpc_technician",
                "service_contract.group_service_contract_technician",
            ),
            user("sc_import_rpc_sales", "sales_team.group_sale_salesman"),
        ]
        # A contract started more than a year ago, invoiced until the first
        # day of this month (the same clock as the server's).
        today = fields.Date.today()
        start = (today - timedelta(days=400)).isoformat()
        cls.content = base64.b64encode(
            (
                HEADER
                + f"R-1;RPC Customer;;;;Boiler maintenance (import);IMP-BOILER;1;"
                f"100;;{start};;;{today.replace(day=1).isoformat()}\n"
            ).encode()
        ).decode()

    def test_manager_imports(self):
        wizard_id = self.rpc(
            self.manager,
            "service.contract.import",
            "create",
            {"file": self.content, "file_name": "c.csv"},
        )
        self.rpc(self.manager, "service.contract.import", "action_import", [wizard_id])
        wizard = self.env["service.contract.import"].browse(wizard_id)
        self.assertEqual(wizard.state, "done")
        self.assertEqual(wizard.contract_ids.state, "running")

    @mute_logger("odoo.http", "odoo.addons.base.models.ir_model")
    def test_others_cannot_import(self):
        for other in self.others:
            error = self.assertRpcRefused(
                other,
                "service.contract.import",
                "create",
                {"file": self.content, "file_name": "c.csv"},
            )
            self.assertIn("AccessError", str(error), other.login)
        self.assertFalse(
            self.env["service.contract"].search(
                [("partner_id.name", "=", "RPC Customer")]
            )
        )


@tagged("post_install", "-at_install")
class TestImportTemplates(ServiceContractCase):
    """The import templates: customers with sites, contracts with their
    services and terms (Odoo's import), running contracts (the wizard)."""

    OPTIONS = {
        "has_headers": True,
        "quoting": '"',
        "separator": ",",
        "date_format": "%Y-%m-%d",
        "encoding": "utf-8",
    }

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["product.product"].create(
            {"name": "Call-out cover", "type": "service", "list_price": 60.0}
        )

    def _base_import(self, model, path):
        with file_open(path.lstrip("/"), "rb") as file:
            content = file.read()
        wizard = self.env["base_import.import"].create(
            {
                "res_model": model,
                "file": content,
                "file_name": path.rsplit("/", 1)[-1],
                "file_type": "text/csv",
            }
        )
        preview = wizard.parse_preview(self.OPTIONS)
        self.assertFalse(preview.get("error"), preview)
        headers = preview["headers"]
        fields = [
            preview["matches"].get(index, [None]) for index in range(len(headers))
        ]
        self.assertNotIn([None], fields, f"a column of {path} is not recognised")
        fields = ["/".join(path) for path in fields]
        result = wizard.execute_import(fields, headers, self.OPTIONS)
        self.assertFalse(result["messages"], result["messages"])
        return self.env[model].browse(result["ids"])

    def test_customers_with_sites(self):
        templates = self.env["res.partner"].get_import_templates()
        self.assertEqual(
            [t["template"] for t in templates],
            [
                "/base/static/xls/res_partner.xlsx",
                "/service_contract/static/xls/res_partner_service_sites.csv",
            ],
        )
        partners = self._base_import("res.partner", templates[1]["template"])
        customer = partners.filtered("is_company")
        self.assertEqual(customer.ref, "CLI0001")
        sites = partners - customer
        self.assertEqual(sites.mapped("type"), ["site", "site"])
        self.assertEqual(sites.parent_id, customer)
        self.assertEqual(customer.service_site_ids, sites)

    def test_contracts_with_services_and_terms(self):
        templates = self.env["service.contract"].get_import_templates()
        contract = self._base_import("service.contract", templates[0]["template"])
        self.assertEqual(contract.state, "draft")
        self.assertEqual(contract.partner_id, self.customer)
        self.assertEqual(contract.template_id, self.template)
        self.assertEqual(contract.date_start, date(2026, 1, 1))
        self.assertEqual(contract.invoicing_frequency, "month")
        self.assertEqual(
            [
                (line.product_id.name or line.name, line.quantity, line.price_unit)
                for line in contract.line_ids
            ],
            [("Boiler service", 2, 180), ("Call-out cover", 1, 60)],
        )
        self.assertEqual(
            (contract.duration, contract.duration_unit, contract.renewal_type),
            (1, "year", "tacit"),
        )

    @freeze_time(TODAY)
    def test_running_contracts_sample(self):
        self.env.user.groups_id += self.env.ref("base.group_partner_manager")
        path = self.env["service.contract"].get_import_templates()[1]["template"]
        with file_open(path.lstrip("/"), "rb") as file:
            content = file.read()
        wizard = self.env["service.contract.import"].create(
            {"file": base64.b64encode(content), "file_name": "sample.csv"}
        )
        wizard.action_import()
        self.assertFalse(wizard.error_ids.mapped("message"))
        lac, tilleuls = wizard.contract_ids.sorted("id")
        self.assertEqual(lac.partner_id, self.customer)
        self.assertEqual(lac.site_ids, self.site_a)
        self.assertEqual(len(lac.line_ids), 2)
        self.assertEqual(tilleuls.partner_id.name, "Syndic des Tilleuls")
        # Yearly from each 1 March: the year invoiced on 2025-03-01 was
        # invoiced before 2026-01-01, the next one is invoiced here.
        self.assertEqual(
            tilleuls.period_ids.filtered(lambda p: p.state == "to_invoice")[
                :1
            ].invoice_date,
            date(2026, 3, 1),
        )
