import threading
from datetime import date

from odoo import SUPERUSER_ID, Command, api
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, TransactionCase, get_db_name

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


class ServiceContractCase(TransactionCase):
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

    def assertRefused(self, exception, regex, func, *args, **kwargs):
        """``func`` raises ``exception`` matching ``regex`` and changes nothing.

        As in a real request, the transaction is rolled back (here, to a
        savepoint) and the records are read again from the database.
        """
        with self.assertRaisesRegex(exception, regex):
            with self.env.cr.savepoint():
                func(*args, **kwargs)
        self.env.invalidate_all()

    def _messages(self, contract):
        return contract.message_ids.mapped("body")


class ConcurrencyCase(BaseCase):
    """Runs a scheduled action in two threads at once, each with its own
    database cursor, on data committed beforehand (and removed after)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())

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
