import base64
import io
import threading
import time
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from lxml import etree
from PIL import Image
from psycopg2 import errors

from odoo import SUPERUSER_ID, Command, api, fields
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, TransactionCase, get_db_name, new_test_user
from odoo.tests.common import JsonRpcException
from odoo.tools import safe_eval as safe_eval_module
from odoo.tools.safe_eval import safe_eval

from odoo.addons.account.tests.common import (
    AccountTestInvoicingCommon,
    AccountTestInvoicingHttpCommon,
)

from ..models.service_lifecycle_guard import lifecycle_write

# 2 years, then renewed tacitly year by year, 2 months' notice.
TACIT_TERMS = {
    "duration": 2,
    "duration_unit": "year",
    "renewal_type": "tacit",
    "renewal_duration": 1,
    "renewal_unit": "year",
    "notice_period": 2,
    "notice_unit": "month",
}


def create_customer_site(env, name, site_name, **site_values):
    """A customer company and one of its sites: (customer, site)."""
    customer = env["res.partner"].create({"name": name, "is_company": True})
    site = env["res.partner"].create(
        {"name": site_name, "type": "site", "parent_id": customer.id, **site_values}
    )
    return customer, site


def new_tour_user(env, login, groups, **values):
    """A user who logs in to a tour with its login as password."""
    return new_test_user(env, login=login, password=login, groups=groups, **values)


class RefusalMixin:
    """``assertRefused``, for every test case of the module."""

    def assertRefused(self, exception, regex, func, *args, **kwargs):
        """``func`` raises ``exception`` matching ``regex`` and changes nothing.

        As in a real request, the transaction is rolled back (here, to a
        savepoint) and the records are read again from the database.
        """
        with self.assertRaisesRegex(exception, regex):
            with self.env.cr.savepoint():
                func(*args, **kwargs)
        self.env.invalidate_all()


class ServiceContractCase(RefusalMixin, TransactionCase):
    """Customers, a template and a helper to make contracts, for every test."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=False))
        cls.company = cls.env.company
        cls.product = cls.env["product.product"].create(
            {
                "name": "Boiler service",
                "type": "service",
                "list_price": 180.0,
                "description_sale": "Yearly servicing",
            }
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "Résidence du Lac", "is_company": True}
        )
        cls.signatory = cls.env["res.partner"].create(
            {
                "name": "Anne Signer",
                "parent_id": cls.customer.id,
                "type": "contact",
                "contract_role": "signatory",
            }
        )
        cls.site_a, cls.site_b = cls.env["res.partner"].create(
            [
                {
                    "name": "Building A",
                    "parent_id": cls.customer.id,
                    "type": "site",
                    "street": "1 quai du Lac",
                    "city": "Annecy",
                },
                {
                    "name": "Building B",
                    "parent_id": cls.customer.id,
                    "type": "site",
                    "street": "3 quai du Lac",
                    "city": "Annecy",
                },
            ]
        )
        cls.template = cls.env["service.contract.template"].create(
            {
                "name": "Boiler maintenance",
                **TACIT_TERMS,
                "line_ids": [
                    Command.create({"product_id": cls.product.id, "quantity": 2}),
                    Command.create({"name": "Call-out cover", "price_unit": 60.0}),
                ],
            }
        )

    @classmethod
    def _create_contract(cls, **values):
        """A contract of the customer from the template, from 2024-03-01
        (``create_contract``'s arguments)."""
        return create_contract(
            cls.env,
            cls.customer,
            template=cls.template,
            **{"date_start": date(2024, 3, 1), **values},
        )

    @classmethod
    def _create_running_contract(cls, **values):
        return cls._create_contract(sign=True, **values)

    def _messages(self, contract):
        return contract.message_ids.mapped("body")


class RpcMixin:
    """JSON-RPC calls as a logged-in user, the way a browser or a script
    sends them (``/web/dataset/call_kw``), for attack tests in an HttpCase.

    ``self.rpc(user, "model", "method", *args, **kwargs)`` logs in as
    ``user`` (whose password is its login, as ``new_tour_user`` makes it),
    sends the call and returns its result; a refused call raises
    ``JsonRpcException`` with the server's error class in its message.
    """

    def rpc(self, user, model, method, *args, **kwargs):
        if getattr(self, "_rpc_login", None) != user.login:
            self.authenticate(user.login, user.login)
            self._rpc_login = user.login
        return self.make_jsonrpc_request(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        )

    def assertRpcRefused(self, user, model, method, *args, **kwargs):
        """The call is refused (any server error), and returns the error."""
        with self.assertRaises(JsonRpcException) as caught:
            self.rpc(user, model, method, *args, **kwargs)
        return caught.exception


class ConcurrencyCase(BaseCase):
    """Runs a scheduled action in two threads at once, each with its own
    database cursor, on data committed beforehand (and removed after).

    A test class creates its records in ``_create_data(env)``, which returns
    their ids by model: they are committed before each test and removed
    after it, the contracts first (cancelled, then deleted, after
    ``_remove_contract_data`` for what the scheduled action made on them).
    With ``batch_size_key``, that batch size parameter is ``batch_size``
    during the test (small, so that the two workers share several batches)
    and gets its value back after."""

    batch_size_key = None
    batch_size = "2"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = self._env(cr)
            if self.batch_size_key:
                self._batch_size_before = env["ir.config_parameter"].set_param(
                    self.batch_size_key, self.batch_size
                )
            self.record_ids = self._create_data(env) or {}
        if self.record_ids or self.batch_size_key:
            self.addCleanup(self._remove_data)

    def _create_data(self, env):
        """Hook: create the test's records in ``env`` and return their ids,
        {model: ids} (removed in this order, contracts first)."""
        return {}

    def _remove_contract_data(self, contracts):
        """Hook: remove what the scheduled action made on the test's
        contracts, before they are removed."""

    def _remove_data(self):
        with self.registry.cursor() as cr:
            env = self._env(cr)
            record_ids = dict(self.record_ids)
            contracts = env["service.contract"].browse(
                record_ids.pop("service.contract", ())
            )
            if contracts:
                self._remove_contract_data(contracts)
                with lifecycle_write():  # test data, removed as it came
                    contracts.write({"state": "cancel"})
                contracts.unlink()
            for model, ids in record_ids.items():
                env[model].browse(ids).unlink()
            if self.batch_size_key:
                env["ir.config_parameter"].set_param(
                    self.batch_size_key, self._batch_size_before
                )

    def _env(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {})

    def _run_twice_concurrently(self, worker):
        """Start ``worker(results)`` in two threads released together."""
        barrier = threading.Barrier(2)
        results = []

        def run():
            barrier.wait(timeout=30)
            worker(results)

        threads = [threading.Thread(target=run) for _i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        self.assertEqual(len(results), 2, "both workers must finish")
        return results

    def _run_cron_twice(self, run, retry=False):
        """``run(env)`` by two workers at once, each in its own transaction
        (committed when it returns): the list of both results. With
        ``retry``, a worker refused on a serialization failure (it locked a
        record the other one changed and committed meanwhile) is rolled back
        and runs again, as Odoo does for scheduled actions (5 times at
        most)."""

        def worker(results):
            for _attempt in range(5 if retry else 1):
                try:
                    with self.registry.cursor() as cr:
                        results.append(run(self._env(cr)))
                        return
                except errors.SerializationFailure:
                    if not retry:
                        raise

        return self._run_twice_concurrently(worker)


# ----------------------------------------------------------------------
# Images, for signatures and uploads
# ----------------------------------------------------------------------

# A 1x1 PNG, base64-encoded.
SIGNATURE_PIXEL = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA"
    "60e6kgAAAABJRU5ErkJggg=="
)


def signature_png():
    """A drawn signature: a line on white, base64-encoded."""
    image = Image.new("RGB", (120, 40), "white")
    for x in range(10, 110):
        image.putpixel((x, 20), (0, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def small_png(color):
    """An 8x8 PNG of ``color``, as raw bytes (a photo to upload)."""
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), color).save(buffer, "PNG")
    return buffer.getvalue()


# ----------------------------------------------------------------------
# Invoicing, access and portal
# ----------------------------------------------------------------------


class InvoicingCase(RefusalMixin, AccountTestInvoicingCommon):
    """The accounting test company, its user a contract manager and a
    salesperson, and a one-year template billed monthly in advance (prorata)
    for one taxed service at 310.00."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.groups_id += cls.env.ref(
            "service_contract.group_service_contract_manager"
        ) + cls.env.ref("sales_team.group_sale_salesman")
        cls.product = cls._create_product(
            name="Boiler maintenance, monthly",
            type="service",
            lst_price=310.0,
            taxes_id=[Command.set(cls.tax_sale_a.ids)],
        )
        cls.customer = cls.partner_a
        cls.template = cls.env["service.contract.template"].create(
            {
                "name": "Monthly maintenance",
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
                "line_ids": [Command.create({"product_id": cls.product.id})],
            }
        )

    @classmethod
    def _contract(cls, start=date(2026, 1, 15), sign=True, **values):
        return create_contract(
            cls.env,
            cls.customer,
            template=cls.template,
            date_start=start,
            sign=sign,
            **values,
        )

    def _invoice(self, today):
        return self.env["service.contract"]._cron_create_invoices(today=today)


class AccessMatrixCase(InvoicingCase):
    """A user of each kind (salesman, billing, accountant, contract_user,
    technician, contract_manager) and a portal customer (``portal``)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.company_data["company"]
        users = {
            "salesman": "sales_team.group_sale_salesman",
            "billing": "account.group_account_invoice",
            "accountant": "account.group_account_manager",
            "contract_user": "service_contract.group_service_contract_user",
            "technician": "service_contract.group_service_contract_technician",
            "contract_manager": "service_contract.group_service_contract_manager",
        }
        for key, group in users.items():
            user = new_test_user(
                cls.env,
                login=f"sc_matrix_{key}",
                groups=f"base.group_user,{group}",
                company_id=company.id,
                company_ids=[Command.set(company.ids)],
            )
            setattr(cls, key, user)
        cls.portal_customer = cls.env["res.partner"].create(
            {"name": "Portal Customer", "is_company": True, "email": "c@example.com"}
        )
        cls.portal = new_test_user(
            cls.env,
            login="sc_matrix_portal",
            groups="base.group_portal",
            partner_id=cls.env["res.partner"]
            .create({"name": "Paul Portal", "parent_id": cls.portal_customer.id})
            .id,
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
        )
        cls.contract_product = cls.product
        cls.contract_product.service_contract_template_id = cls.template
        cls.customer.email = "customer@example.com"


class MenuCase(AccessMatrixCase):
    """Opens every menu of the module as a user, the way the web client does:
    each view of its action, each filter of its search view."""

    def _eval_context(self, user):
        return {
            "uid": user.id,
            "user": user,
            "context_today": lambda: fields.Date.context_today(user),
            "datetime": safe_eval_module.datetime,
            "relativedelta": relativedelta,
            "time": safe_eval_module.time,
            "current_date": time.strftime("%Y-%m-%d"),
            "allowed_company_ids": user.company_ids.ids,
        }

    def _field_nodes(self, node):
        for child in node:
            if child.tag == "field":
                yield child
            elif isinstance(child.tag, str):
                yield from self._field_nodes(child)

    def _spec(self, node, models, model):
        """What the web client reads for the fields of this view node."""
        spec = {}
        for field in self._field_nodes(node):
            name = field.get("name")
            info = models[model]["fields"][name]
            if info["type"] == "many2one":
                spec[name] = {"fields": {"display_name": {}}}
            elif info["type"] in ("one2many", "many2many"):
                sub = {}
                for view in field:
                    if isinstance(view.tag, str):
                        sub.update(self._spec(view, models, info["relation"]))
                if not sub and field.get("widget"):
                    sub = {"display_name": {}}
                spec[name] = {"fields": sub}
            else:
                spec[name] = {}
        return spec

    def _open_action(self, user, action):
        env = self.env(user=user)
        eval_context = self._eval_context(user)
        context = safe_eval(action.context or "{}", eval_context)
        Model = env[action.res_model].with_context(
            **{k: v for k, v in context.items() if not k.startswith("search_default")}
        )
        domain = safe_eval(action.domain or "[]", eval_context)
        view_types = [t if t != "tree" else "list" for t in action.view_mode.split(",")]
        views = Model.get_views([(False, t) for t in [*view_types, "search"]])
        models = views["models"]
        specs = {}
        for view_type in view_types:
            arch = etree.fromstring(views["views"][view_type]["arch"])
            spec = specs[view_type] = self._spec(arch, models, Model._name)
            records = Model.web_search_read(domain, spec, limit=80)["records"]
            if view_type == "form":
                if records:
                    Model.browse(records[0]["id"]).web_read(spec)
                Model.onchange({}, [], spec)
            elif view_type in ("pivot", "graph"):
                measures = [
                    f"{node.get('name')}:sum"
                    for node in arch.iter("field")
                    if node.get("type") == "measure"
                ]
                groupby = [
                    node.get("name")
                    for node in arch.iter("field")
                    if node.get("type") != "measure"
                ]
                Model.read_group(
                    domain, measures or ["__count"], groupby[:1], lazy=True
                )
        # Filters apply to the first view, as when the menu opens.
        spec = specs[view_types[0]]
        search = etree.fromstring(views["views"]["search"]["arch"])
        filters = 0
        for node in search.iter("filter"):
            node_context = safe_eval(node.get("context") or "{}", eval_context)
            if node.get("domain"):
                filter_domain = safe_eval(node.get("domain"), eval_context)
                Model.web_search_read(domain + filter_domain, spec, limit=80)
            elif node.get("date"):
                Model.web_search_read(
                    domain + [(node.get("date"), "!=", False)], spec, limit=80
                )
            if node_context.get("group_by"):
                Model.web_read_group(
                    domain, ["__count"], [node_context["group_by"]], lazy=True
                )
            filters += 1
        return filters

    def _open_menus(self, user):
        """Open every menu of the module the web client shows the user."""
        root = self.env.ref("service_contract.service_contract_menu_root")
        Menu = self.env["ir.ui.menu"].with_user(user)
        menus = Menu.search(
            [
                ("id", "child_of", root.id),
                ("action", "!=", False),
                ("id", "not in", Menu._load_menus_blacklist()),
            ]
        )
        opened = []
        for menu in menus:
            action = menu.action.sudo()
            if action._name != "ir.actions.act_window":
                continue
            self._open_action(user, action)
            opened.append(menu.name)
        return opened


PORTAL_DOCUMENT = "These are the general terms of the SC portal contract."


class PortalCase(AccountTestInvoicingHttpCommon):
    """Customers, a portal user and contracts in every state, for the
    portal tests."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.groups_id += cls.env.ref(
            "service_contract.group_service_contract_manager"
        )
        # Signing renders the contract with wkhtmltopdf, which would fetch the
        # report's stylesheets from this test server: that request would wait
        # for the test cursor held by the signing request (a deadlock). Point
        # wkhtmltopdf elsewhere: it renders the PDF without the stylesheets.
        cls.env["ir.config_parameter"].sudo().set_param(
            "report.url", "file:///nonexistent-sc-report-url"
        )
        company = cls.env.company
        # The contracts' day is the company's, whoever (portal, office) acts.
        company.partner_id.tz = "Europe/Paris"
        Partner = cls.env["res.partner"]
        cls.customer, cls.other_customer = Partner.create(
            [
                {"name": "SC Portal Customer", "is_company": True},
                {"name": "SC Portal Other Customer", "is_company": True},
            ]
        )
        cls.site, cls.other_site = Partner.create(
            [
                {
                    "name": "SC Portal Boiler Room",
                    "type": "site",
                    "parent_id": cls.customer.id,
                    "street": "7 rue du Portail",
                    "city": "Lyon",
                },
                {
                    "name": "SC Portal Other Site",
                    "type": "site",
                    "parent_id": cls.other_customer.id,
                    "street": "9 rue d'Ailleurs",
                    "city": "Nantes",
                },
            ]
        )
        cls.portal_user = new_test_user(
            cls.env,
            login="sc_portal_paula",
            password="sc_portal_paula",
            name="Paula Portal",
            groups="base.group_portal",
            parent_id=cls.customer.id,
            company_id=company.id,
        )
        cls.template = cls.env["service.contract.template"].create(
            {
                "name": "SC Portal Maintenance",
                "duration": 1,
                "duration_unit": "year",
                "renewal_type": "tacit",
                "renewal_duration": 1,
                "renewal_unit": "year",
                "notice_period": 1,
                "notice_unit": "month",
                "invoicing_frequency": "month",
                "invoicing_mode": "advance",
                "document_body": f"<p>{PORTAL_DOCUMENT}</p>",
                "line_ids": [
                    Command.create(
                        {"product_id": cls.product_a.id, "price_unit": 100.0}
                    )
                ],
            }
        )
        today = fields.Date.context_today(cls.env.user)
        # Started on the first of last month: two monthly invoices are due.
        start = (today.replace(day=1) - timedelta(days=1)).replace(day=1)

        def contract(customer, site, title):
            return create_contract(
                cls.env,
                customer,
                template=cls.template,
                title=title,
                date_start=start,
                site_ids=[Command.set(site.ids)],
            )

        cls.running = contract(cls.customer, cls.site, "SC Portal Running")
        cls.to_sign = contract(cls.customer, cls.site, "SC Portal To Sign")
        cls.draft = contract(cls.customer, cls.site, "SC Portal Draft")
        cls.other = contract(cls.other_customer, cls.other_site, "SC Portal Foreign")
        (cls.running | cls.to_sign | cls.other).action_to_sign()
        cls.running._portal_sign("Paula Portal", signature_png())
        cls.other.action_sign()

        Intervention = cls.env["service.intervention"]
        cls.visit_done, cls.visit_next, cls.other_visit = Intervention.create(
            [
                {
                    "contract_id": cls.running.id,
                    "site_id": cls.site.id,
                    "date_due": start,
                    "description": "SC Portal visit done",
                    "report": "<p>Burner cleaned.</p>",
                },
                {
                    "contract_id": cls.running.id,
                    "site_id": cls.site.id,
                    "date_due": today + timedelta(days=20),
                    "description": "SC Portal next visit",
                },
                {
                    "contract_id": cls.other.id,
                    "site_id": cls.other_site.id,
                    "date_due": today,
                    "description": "SC Portal foreign visit",
                },
            ]
        )
        cls.visit_done.action_done()

        cls.running.action_create_invoices()
        cls.invoice, cls.draft_invoice = cls.running.invoice_ids.sorted("invoice_date")
        cls.invoice.action_post()

    def _open(self, url, **kwargs):
        self.env.flush_all()
        return self.url_open(url, **kwargs)

    def _get(self, url):
        response = self._open(url)
        self.assertEqual(response.status_code, 200, url)
        return response

    def _jsonrpc(self, url, params):
        self.env.flush_all()
        result = self.make_jsonrpc_request(url, params)
        self.env.invalidate_all()
        return result

    def _section(self, page, section):
        start = page.find(f'id="{section}"')
        return page[start : page.find("</section>", start)] if start >= 0 else ""


# ----------------------------------------------------------------------
# Price revision, checklists
# ----------------------------------------------------------------------


class PriceRevisionCase(RefusalMixin, AccountTestInvoicingCommon):
    """An engineering index ENG with the values of the worked example, and
    a template whose clause is P = P0 x (0.15 + 0.85 x ENG / ENG0), base
    August 2021."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.groups_id += cls.env.ref(
            "service_contract.group_service_contract_manager"
        )
        cls.env.user.tz = "UTC"
        cls.company.partner_id.tz = "UTC"
        cls.index = cls.env["service.price.index"].create(
            {"name": "Engineering index", "code": "ENG"}
        )
        cls._values(cls.index, {"2021-08": 121.2, "2022-08": 125.0, "2023-08": 130.5})
        cls.product = cls._create_product(
            name="Lift maintenance",
            type="service",
            lst_price=1200.0,
            taxes_id=[Command.set(cls.tax_sale_a.ids)],
        )
        cls.customer = cls.partner_a
        cls.customer.email = "customer@example.com"
        cls.template = cls.env["service.contract.template"].create(
            {
                "name": "Lift maintenance",
                "duration": 3,
                "duration_unit": "year",
                "renewal_type": "tacit",
                "renewal_duration": 1,
                "renewal_unit": "year",
                "notice_period": 3,
                "notice_unit": "month",
                "invoicing_frequency": "year",
                "invoicing_mode": "advance",
                "line_ids": [Command.create({"product_id": cls.product.id})],
                "revision_fixed_part": 0.15,
                "revision_base_date": date(2021, 8, 1),
                "revision_term_ids": [
                    Command.create({"index_id": cls.index.id, "weight": 0.85})
                ],
            }
        )

    @classmethod
    def _values(cls, index, values):
        cls.env["service.price.index.value"].create(
            [
                {"index_id": index.id, "date": f"{month}-01", "value": value}
                for month, value in values.items()
            ]
        )

    @classmethod
    def _contract(cls, start=date(2022, 9, 1), sign=True, price=None, **values):
        return create_contract(
            cls.env,
            cls.customer,
            template=cls.template,
            date_start=start,
            price=price,
            sign=sign,
            sign_date=start,
            **values,
        )

    def _revise(self, today):
        return self.env["service.contract"]._cron_revise_prices(today=today)

    def _invoice(self, today):
        return self.env["service.contract"]._cron_create_invoices(today=today)

    def _period(self, contract, date_from):
        return contract.period_ids.filtered(lambda p: p.date_from == date_from)


class RevisionUiCase(ServiceContractCase):
    """The engineering index of the worked example (I0 = 121.2 for August
    2021, 130.5 for August 2023), contracts of 1,200.00 a year revised on
    2023-09-01 by P = P0 × (0.15 + 0.85 × ING/ING0), a manager and a
    contract user."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The demo data may hold an engineering index coded ING already.
        cls.env["service.price.index"].with_context(active_test=False).search(
            [("code", "=", "ING")]
        ).code = "ING-DEMO"
        cls.env.flush_all()
        cls.index = cls.env["service.price.index"].create(
            {
                "name": "Engineering index",
                "code": "ING",
                "value_ids": [
                    Command.create({"date": date(2021, 8, 1), "value": 121.2}),
                    Command.create({"date": date(2022, 8, 1), "value": 125.0}),
                    Command.create({"date": date(2023, 8, 1), "value": 130.5}),
                ],
            }
        )
        # An index whose value of August 2023 is not published yet.
        cls.late_index = cls.env["service.price.index"].create(
            {
                "name": "Late index",
                "code": "LATE",
                "value_ids": [
                    Command.create({"date": date(2021, 8, 1), "value": 100.0}),
                ],
            }
        )
        cls.manager = new_test_user(
            cls.env,
            login="sc_revision_manager",
            groups="base.group_user,service_contract.group_service_contract_manager",
        )
        cls.contract_user = new_test_user(
            cls.env,
            login="sc_revision_user",
            groups="base.group_user,service_contract.group_service_contract_user",
        )

    @classmethod
    def _create_revised_contract(cls, index=None, price=1200.0, **values):
        """A running yearly contract of ``price`` a year from 2022-09-01, for
        two years, with the clause of the worked example on ``index``."""
        vals = {
            "template_id": False,
            "date_start": date(2022, 9, 1),
            "duration": 2,
            "duration_unit": "year",
            "renewal_type": "none",
            "renewal_duration": 1,
            "renewal_unit": "year",
            "notice_period": 0,
            "notice_unit": "month",
            "invoicing_frequency": "year",
            "invoicing_mode": "advance",
            "line_ids": [
                Command.create({"name": "Lift maintenance", "price_unit": price})
            ],
            "revision_fixed_part": 0.15,
            "revision_term_ids": [
                Command.create({"index_id": (index or cls.index).id, "weight": 0.85})
            ],
            "revision_base_date": date(2021, 8, 1),
            "revision_index_rule": "same_month",
        }
        vals.update(values)
        return cls._create_contract(sign=True, sign_date=date(2022, 8, 20), **vals)


# The items of a gas boiler's yearly service, by key.
BOILER_CHECKLIST_ITEMS = {
    "burner": {"name": "Burner cleaned", "required": True},
    "efficiency": {
        "name": "Efficiency",
        "kind": "measure",
        "unit": "%",
        "min_value": 85.0,
        "max_value": 110.0,
        "required": True,
        "certificate_field": "efficiency",
    },
    "co": {
        "name": "Carbon monoxide",
        "kind": "measure",
        "unit": "ppm",
        "min_value": 0.0,
        "max_value": 50.0,
        "required": True,
        "certificate_field": "co",
    },
    "emission_class": {
        "name": "NOx emission class",
        "kind": "choice",
        "choice_options": "1, 2, 3, 4, 5, 6",
        "certificate_field": "emission_class",
    },
    "advice": {
        "name": "Advice to the customer",
        "kind": "text",
        "certificate_field": "advice",
    },
    "photo": {"name": "Burner photo", "kind": "photo"},
}


def boiler_checklist_items(*keys):
    """Commands creating the items ``keys`` of BOILER_CHECKLIST_ITEMS, in
    this order."""
    return [
        Command.create({"sequence": sequence, **BOILER_CHECKLIST_ITEMS[key]})
        for sequence, key in enumerate(keys, 1)
    ]


class ChecklistCase(ServiceContractCase):
    """A boiler with its checklist (efficiency, CO...) on a visit of a
    technician; a contract responsible; another technician."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "company_registry": "123 456 789 00011",
                "vat": "FR40123456789",
                "street": "5 rue des Chauffagistes",
                "city": "Lyon",
            }
        )
        cls.responsible = new_test_user(
            cls.env,
            login="sc_check_responsible",
            name="Rose Responsible",
            groups="base.group_user,service_contract.group_service_contract_user",
        )
        cls.technician = new_test_user(
            cls.env,
            login="sc_check_tech",
            name="Théo Technician",
            groups="base.group_user,service_contract.group_service_contract_technician",
        )
        cls.other_technician = new_test_user(
            cls.env,
            login="sc_check_other_tech",
            name="Otto Technician",
            groups="base.group_user,service_contract.group_service_contract_technician",
        )
        cls.boiler_template = cls.env["service.checklist.template"].create(
            {
                "name": "Gas boiler yearly service",
                "item_ids": boiler_checklist_items(
                    "burner", "efficiency", "co", "emission_class", "advice", "photo"
                ),
            }
        )
        cls.boilers = cls.env["service.equipment.category"].create(
            {
                "name": "Gas boilers",
                "regulation": "boiler",
                "checklist_template_id": cls.boiler_template.id,
            }
        )
        cls.boiler = cls.env["service.equipment"].create(
            {
                "name": "Gas boiler",
                "partner_id": cls.customer.id,
                "site_id": cls.site_a.id,
                "category_id": cls.boilers.id,
                "brand": "Saunier Duval",
                "model_name": "ThemaPlus Condens",
                "serial_number": "SD-2019-0042",
            }
        )
        cls.contract = cls._create_running_contract(
            user_id=cls.responsible.id,
            site_ids=[Command.set((cls.site_a | cls.site_b).ids)],
        )
        cls.visit = cls._create_visit(cls.technician, cls.boiler)

    @classmethod
    def _create_visit(cls, technician, equipment, **values):
        return cls.env["service.intervention"].create(
            {
                "contract_id": cls.contract.id,
                "kind": "preventive",
                "description": "Yearly boiler service",
                "date_due": date(2026, 10, 1),
                "site_id": equipment.site_id.id,
                "user_id": technician.id,
                "equipment_ids": [Command.set(equipment.ids)],
                **values,
            }
        )

    def _line(self, visit, name):
        return visit.checklist_line_ids.filtered(lambda line: line.name == name)

    def _fill(self, visit, user=None, co=30.0):
        """Answer every item of the visit's checklist, as ``user``."""
        values = {
            "Burner cleaned": {"value_bool": True},
            "Efficiency": {"value_float": 92.5},
            "Carbon monoxide": {"value_float": co},
            "NOx emission class": {"value_choice": "4"},
            "Advice to the customer": {
                "value_text": "Bleed the radiators before winter; consider a "
                "smart thermostat."
            },
        }
        for name, vals in values.items():
            line = self._line(visit, name)
            (line.with_user(user) if user else line).write(vals)


# ----------------------------------------------------------------------
# Contracts
# ----------------------------------------------------------------------


def create_contract(
    env,
    partner,
    *,
    template=None,
    lines=None,
    price=None,
    sign=False,
    sign_date=None,
    **values,
):
    """A contract of ``partner`` (from ``template`` when given) created with
    ``values``, the one factory of the tests.

    ``lines`` (a list of ``Command``) then replace its services and ``price``
    becomes the unit price of each; with ``sign``, the customer signs it (on
    ``sign_date``, else today)."""
    vals = {"partner_id": partner.id}
    if template:
        vals["template_id"] = template.id
    contract = env["service.contract"].create({**vals, **values})
    if lines is not None:
        contract.line_ids = [Command.clear(), *lines]
    if price is not None:
        contract.line_ids.price_unit = price
    if sign:
        contract.action_sign(date_signed=sign_date)
    return contract
