import threading
from datetime import date

from psycopg2 import errors

from odoo import SUPERUSER_ID, Command, api
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, TransactionCase, get_db_name, new_test_user
from odoo.tests.common import JsonRpcException

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
        vals = {
            "partner_id": cls.customer.id,
            "template_id": cls.template.id,
            "date_start": date(2024, 3, 1),
        }
        vals.update(values)
        return cls.env["service.contract"].create(vals)

    @classmethod
    def _create_running_contract(cls, **values):
        contract = cls._create_contract(**values)
        contract.action_sign()
        return contract

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
