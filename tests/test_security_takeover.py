"""Billing periods invoiced elsewhere (a contract taken over from the
customer's former tool) stay what the takeover made them: no user turns a
period to invoice into one invoiced elsewhere (a service given away) nor
back (billed twice), by any JSON-RPC call of their own session."""

from datetime import timedelta

from odoo import Command, fields
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import PortalCase, RpcMixin, create_contract, new_tour_user


@tagged("post_install", "-at_install")
class TestTakeoverSecurity(RpcMixin, PortalCase):
    """A monthly contract started 13 months ago, taken over this month: its
    periods before the first of this month were invoiced elsewhere."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company

        def user(login, groups, company=company):
            return new_tour_user(
                cls.env,
                login,
                groups,
                company_id=company.id,
                company_ids=[Command.set(company.ids)],
            )

        other_company = cls.env["res.company"].create({"name": "SC Takeover Other"})
        cls.manager = user(
            "sc_to_manager", "service_contract.group_service_contract_manager"
        )
        cls.attackers = {
            "technician": user(
                "sc_to_technician", "service_contract.group_service_contract_technician"
            ),
            "salesperson": user("sc_to_sales", "sales_team.group_sale_salesman"),
            "accountant": user("sc_to_accountant", "account.group_account_invoice"),
            "contract user": user(
                "sc_to_user", "service_contract.group_service_contract_user"
            ),
            "manager": cls.manager,
            "other company's manager": user(
                "sc_to_other_manager",
                "service_contract.group_service_contract_manager",
                company=other_company,
            ),
        }
        today = fields.Date.context_today(cls.env.user)
        start = (today.replace(day=1) - timedelta(days=380)).replace(day=1)
        cls.taken = create_contract(
            cls.env,
            cls.customer,
            template=cls.template,
            title="SC Taken Over",
            date_start=start,
            site_ids=[Command.set(cls.site.ids)],
        )
        cls.taken._take_over(today.replace(day=1), reference="OLD-42")
        periods = cls.taken.period_ids.sorted("date_from")
        cls.elsewhere = periods.filtered(lambda p: p.state == "elsewhere")
        cls.to_invoice = periods.filtered(lambda p: p.state == "to_invoice")

    def _assert_unchanged(self):
        self.env.invalidate_all()
        self.assertEqual(set(self.elsewhere.mapped("state")), {"elsewhere"})
        self.assertEqual(
            set(self.elsewhere.mapped("invoiced_elsewhere_ref")), {"OLD-42"}
        )
        self.assertEqual(set(self.to_invoice.mapped("state")), {"to_invoice"})
        self.assertFalse(any(self.to_invoice.mapped("invoiced_elsewhere_ref")))

    def _attempt(self, user, model, method, *args, **kwargs):
        """A call that must change nothing; refused or not (``load`` and
        ``onchange`` answer without raising), its result is not trusted."""
        try:
            return self.rpc(user, model, method, *args, **kwargs)
        except Exception:  # noqa: BLE001 - any refusal will do
            return None

    @mute_logger("odoo.http", "odoo.addons.base.models.ir_model")
    def test_no_one_marks_or_unmarks_a_period(self):
        self.assertTrue(self.elsewhere and self.to_invoice)
        free, billed = self.to_invoice[0], self.elsewhere[-1]
        Period = "service.contract.period"
        users = {"portal customer": self.portal_user, **self.attackers}
        for who, user in users.items():
            with self.subTest(who):
                for period, vals in (
                    (free, {"invoiced_elsewhere": True}),
                    (free, {"invoiced_elsewhere_ref": "FREE"}),
                    (billed, {"invoiced_elsewhere": False}),
                    (billed, {"invoiced_elsewhere_ref": False}),
                    (billed, {"state": "to_invoice"}),
                ):
                    self.assertRpcRefused(user, Period, "write", period.ids, vals)
                    self.assertRpcRefused(
                        user,
                        "service.contract",
                        "write",
                        self.taken.ids,
                        {"period_ids": [Command.update(period.id, vals)]},
                    )
                self.assertRpcRefused(
                    user,
                    Period,
                    "create",
                    [
                        {
                            "contract_id": self.taken.id,
                            "date_from": str(free.date_from),
                            "date_to": str(free.date_to),
                            "invoiced_elsewhere": True,
                        }
                    ],
                )
                self.assertRpcRefused(
                    user,
                    Period,
                    "update_field_translations",
                    billed.ids,
                    "invoiced_elsewhere_ref",
                    {"fr_FR": "GRATUIT"},
                )
                self.assertRpcRefused(
                    user, "service.contract", "_take_over", self.taken.ids, "2099-01-01"
                )
                self._attempt(
                    user,
                    Period,
                    "load",
                    [".id", "invoiced_elsewhere", "invoiced_elsewhere_ref"],
                    [[str(free.id), "1", "FREE"], [str(billed.id), "0", ""]],
                )
                self._attempt(
                    user,
                    Period,
                    "onchange",
                    billed.ids,
                    {"invoiced_elsewhere": False},
                    ["invoiced_elsewhere"],
                    {"invoiced_elsewhere": {}, "state": {}},
                )
                self._assert_unchanged()

    @mute_logger("odoo.http")
    def test_manager_cannot_delete_a_period_invoiced_elsewhere(self):
        """Deleted, the period would come back to invoice with the next
        term's schedule (``_generate_periods`` starts after the last one):
        billed twice. Refused as an invoiced period is."""
        billed = self.elsewhere[-1]
        self.assertRpcRefused(
            self.manager, "service.contract.period", "unlink", billed.ids
        )
        self.assertRpcRefused(
            self.manager,
            "service.contract",
            "write",
            self.taken.ids,
            {"period_ids": [Command.delete(billed.id)]},
        )
        self._assert_unchanged()
        self.assertTrue(billed.exists())

    def test_portal_shows_the_contract_not_the_former_tool(self):
        """The customer sees the taken-over contract, its invoices here
        only (none yet): neither its periods nor the former tool's
        references, which are internal."""
        self.authenticate(self.portal_user.login, "sc_portal_paula")
        page = self._get(self.taken.access_url).text
        self.assertIn("SC Taken Over", page)
        self.assertNotIn("OLD-42", page)
        self.assertNotIn('id="invoices"', page)
        self.assertRpcRefused(
            self.portal_user,
            "service.contract.period",
            "search_read",
            [("contract_id", "=", self.taken.id)],
            ["invoiced_elsewhere_ref"],
        )
        # Nor guessed through a search of its contracts.
        found = self._attempt(
            self.portal_user,
            "service.contract",
            "search",
            [("period_ids.invoiced_elsewhere_ref", "=", "OLD-42")],
        )
        self.assertFalse(found)
