from datetime import timedelta

from odoo import Command
from odoo.tests import new_test_user, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingHttpCommon

# The portal's page and the back office's list show this many records.
PAGE = 80


@tagged("post_install", "-at_install")
class TestQueryCounts(AccountTestInvoicingHttpCommon):
    """The screens that list contracts cost the same number of queries for
    10 records as for a full page: no query per record.

    Two customers, one with 10 running contracts and one with 100, each
    contract with a posted invoice overdue since last month (the *Overdue*
    column, the Late Payers and the Alerts list have something to show).
    Each screen is opened once to warm the caches, then counted, for each
    customer."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.groups_id += cls.env.ref(
            "service_contract.group_service_contract_manager"
        )
        company = cls.env.company
        company.partner_id.tz = "Europe/Paris"
        today = company._service_today()
        Partner = cls.env["res.partner"]
        cls.small, cls.large = Partner.create(
            [
                {"name": "SC Count Ten", "is_company": True},
                {"name": "SC Count Hundred", "is_company": True},
            ]
        )
        cls.manager = new_test_user(
            cls.env,
            login="sc_count_manager",
            groups="service_contract.group_service_contract_manager,"
            "account.group_account_invoice",
        )
        cls.portal_users = {
            customer: new_test_user(
                cls.env,
                login=login,
                password=login,
                groups="base.group_portal",
                parent_id=customer.id,
            )
            for customer, login in [
                (cls.small, "sc_count_portal_ten"),
                (cls.large, "sc_count_portal_hundred"),
            ]
        }
        # Yearly, invoiced in advance, started two months ago: one invoice
        # each, due at once, overdue since.
        start = today - timedelta(days=60)
        contracts = cls.env["service.contract"].create(
            [
                {
                    "partner_id": customer.id,
                    "date_start": start,
                    "duration": 1,
                    "duration_unit": "year",
                    "renewal_type": "tacit",
                    "renewal_duration": 1,
                    "renewal_unit": "year",
                    "invoicing_frequency": "year",
                    "invoicing_mode": "advance",
                    "line_ids": [
                        Command.create(
                            {"product_id": cls.product_a.id, "price_unit": 100.0}
                        )
                    ],
                }
                for customer, count in [(cls.small, 10), (cls.large, 100)]
                for _index in range(count)
            ]
        )
        contracts.action_sign()
        cls.env["service.contract"]._cron_create_invoices(today=today)
        moves = contracts.invoice_ids
        drafts = moves.filtered(lambda m: m.state == "draft")
        drafts.invoice_date_due = today - timedelta(days=30)
        drafts.action_post()
        assert len(moves) == 110 and set(moves.mapped("state")) == {"posted"}

    def _count_queries(self, func):
        """Queries made by ``func()`` on a cold record cache (the caches of
        the registry stay warm, as on a running server)."""
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        func()
        self.env.flush_all()
        return self.cr.sql_log_count - before

    def _list_specification(self, model):
        """What the web client reads for the list view of ``model``: every
        field of the view, the display name of the related records."""
        Model = self.env[model].with_user(self.manager)
        views = Model.get_views([(False, "list")])
        relational = ("many2one", "many2many", "one2many")
        return {
            name: {"fields": {"display_name": {}}}
            if description["type"] in relational
            else {}
            for name, description in views["models"][model]["fields"].items()
        }

    def _assert_list_constant(self, model, customer_field, order):
        Model = self.env[model].with_user(self.manager)
        specification = self._list_specification(model)
        counts = {}
        for customer, expected in [(self.small, 10), (self.large, PAGE)]:
            # A full page each time (10 records, then 80): the web client
            # then counts the records, once.
            def read(customer=customer, expected=expected):
                result = Model.web_search_read(
                    [(customer_field, "=", customer.id)],
                    specification,
                    limit=expected,
                    order=order,
                )
                self.assertEqual(len(result["records"]), expected)

            read()  # warm the caches
            counts[customer.name] = self._count_queries(read)
        self.assertEqual(
            counts["SC Count Ten"],
            counts["SC Count Hundred"],
            f"{model}: the same queries for 10 and {PAGE} records",
        )

    def test_contract_list(self):
        self._assert_list_constant("service.contract", "partner_id", "name desc")

    def test_late_payers_are_found(self):
        Contract = self.env["service.contract"].with_user(self.manager)
        late = Contract.search([("is_late_payer", "=", True)])
        ours = (self.small | self.large).service_contract_ids
        self.assertEqual(len(late & ours), 110)

    def test_alert_list(self):
        Alert = self.env["service.contract.alert"]
        self.assertEqual(
            Alert.search_count(
                [("partner_id", "=", self.large.id), ("kind", "=", "overdue_invoice")]
            ),
            100,
        )
        self._assert_list_constant("service.contract.alert", "partner_id", "date")

    def test_portal_contract_list(self):
        counts = {}
        for customer, user in self.portal_users.items():
            self.authenticate(user.login, user.login)

            def get():
                response = self.url_open("/my/contracts")
                self.assertEqual(response.status_code, 200)
                return response

            get()  # warm the caches
            counts[customer] = self._count_queries(get)
            self.assertEqual(
                get().text.count("o_service_contract_row"),
                min(len(customer.service_contract_ids), PAGE),
            )
        self.assertEqual(counts[self.small], counts[self.large])
