"""The links from sale and accounting records to the module's records are
set by the module's flows only, and the portal reads nothing of unsent
contracts nor their internal figures (issue 20, items 2, 5 and 7).

Every attack is made as it was: JSON-RPC with the user's own session."""

from odoo import Command, fields
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import PortalCase, RpcMixin, new_tour_user

# What a refusal may be: our guard, a constraint, or no right at all.
REFUSALS = ("UserError", "ValidationError", "AccessError")
# The models of sales and accounting whose links to the module are guarded.
LINKED_PREFIXES = ("account.", "sale.")


@tagged("post_install", "-at_install")
class LinkSecurityCase(RpcMixin, PortalCase):
    """Customer A (the portal user's, ``running``) and customer B
    (``other``), each with a posted invoice; B's quotation; A's visit,
    period, revision and amendment to point B's records to."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company

        def user(login, groups):
            return new_tour_user(
                cls.env,
                login,
                groups,
                company_id=company.id,
                company_ids=[Command.set(company.ids)],
            )

        cls.salesperson = user("sc_link_sales", "sales_team.group_sale_salesman")
        cls.accountant = user("sc_link_accountant", "account.group_account_invoice")
        cls.contract_accountant = user(
            "sc_link_contract_accountant",
            "account.group_account_invoice,service_contract.group_service_contract_user",
        )
        cls.contract_manager = user(
            "sc_link_contract_manager",
            "service_contract.group_service_contract_manager",
        )
        cls.admin = user(
            "sc_link_admin",
            "base.group_system,account.group_account_manager,"
            "sales_team.group_sale_manager,"
            "service_contract.group_service_contract_manager",
        )
        cls.users = (
            cls.salesperson
            | cls.accountant
            | cls.contract_accountant
            | cls.contract_manager
            | cls.admin
        )

        cls.other.action_create_invoices()
        cls.other_invoice = cls.other.invoice_ids.sorted("invoice_date")[:1]
        cls.other_invoice.action_post()
        cls.other_order = cls.env["sale.order"].create(
            {
                "partner_id": cls.other_customer.id,
                "user_id": cls.salesperson.id,
                "order_line": [
                    Command.create(
                        {"product_id": cls.product_a.id, "product_uom_qty": 1}
                    )
                ],
            }
        )
        cls.other_statement_line = cls.env["account.bank.statement.line"].create(
            {
                "journal_id": cls.company_data["default_journal_bank"].id,
                "partner_id": cls.other_customer.id,
                "payment_ref": "SC Link payment of B",
                "amount": 10.0,
            }
        )
        cls.running.action_amend()
        cls.amendment = cls.running.amendment_ids[:1]
        cls.revision = cls.env["service.contract.revision"].create(
            {"contract_id": cls.running.id, "date": fields.Date.today()}
        )
        cls.free_period = cls.running.period_ids.filtered(
            lambda p: p.state == "to_invoice"
        )[:1]

    def _records_of_b(self):
        """B's record of each sale and accounting model linked to the module."""
        invoice = self.other_invoice
        return {
            "account.move": invoice,
            "account.move.line": invoice.invoice_line_ids[:1],
            "account.bank.statement.line": self.other_statement_line,
            "sale.order": self.other_order,
            "sale.order.line": self.other_order.order_line[:1],
        }

    def _record_of_a(self, comodel):
        """A record of customer A in the service model ``comodel``."""
        known = {
            "service.contract": self.running,
            "service.contract.period": self.free_period,
            "service.intervention": self.visit_done,
            "service.contract.amendment": self.amendment,
            "service.contract.revision": self.revision,
            "service.dunning.level": self.env["service.dunning.level"].search(
                [("company_id", "=", self.running.company_id.id)], limit=1
            ),
        }
        record = known.get(comodel)
        self.assertTrue(record, f"no record of customer A for {comodel}: add one")
        return record

    def _linked_fields(self):
        """(model, field) of every relational field from a sale or accounting
        model to a module model, as the registry knows them."""
        result = []
        for model_name in sorted(self.env.registry):
            Model = self.env[model_name]
            if (
                not model_name.startswith(LINKED_PREFIXES)
                or Model._abstract
                or Model._transient
            ):
                continue
            for name, field in sorted(Model._fields.items()):
                if field.relational and field.comodel_name.startswith("service."):
                    result.append((model_name, name))
        return result

    def assertRpcRefusedAs(self, user, model, method, *args, **kwargs):
        error = self.assertRpcRefused(user, model, method, *args, **kwargs)
        self.assertTrue(
            any(kind in str(error) for kind in REFUSALS),
            f"{user.login} {model}.{method}: refused by {error}",
        )


@tagged("post_install", "-at_install")
class TestLinkSecurity(LinkSecurityCase):
    @mute_logger("odoo.http")
    def test_accountant_cannot_show_another_customers_invoice_on_a_portal(self):
        line = self.other_invoice.invoice_line_ids[:1]
        self.assertRpcRefusedAs(
            self.accountant,
            "account.move.line",
            "write",
            line.ids,
            {"service_contract_id": self.running.id},
        )
        self.env.invalidate_all()
        self.assertEqual(line.service_contract_id, self.other)
        self.assertNotIn(self.other_invoice, self.running.invoice_ids)
        # A's page lists A's invoice, never B's.
        self.authenticate(self.portal_user.login, self.portal_user.login)
        self._rpc_login = None
        page = self._get(f"/my/contracts/{self.running.id}").text
        self.assertIn(self.invoice.name, page)
        self.assertNotIn(self.other_invoice.name, page)
        self.assertNotIn(self.other_customer.name, page)

    @mute_logger("odoo.http")
    def test_accountant_cannot_move_a_contract_invoice_to_another_customer(self):
        """The link is right, the invoice's customer changed: refused too."""
        self.assertRpcRefusedAs(
            self.accountant,
            "account.move",
            "write",
            self.draft_invoice.ids,
            {"partner_id": self.other_customer.id},
        )
        self.env.invalidate_all()
        self.assertEqual(self.draft_invoice.partner_id, self.customer)

    @mute_logger("odoo.http")
    def test_accountant_cannot_move_a_linked_line_to_another_invoice(self):
        """The link is right, the line moves to B's draft invoice: refused."""
        b_draft = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.other_customer.id,
                "invoice_line_ids": [
                    Command.create({"name": "One unit", "price_unit": 1.0})
                ],
            }
        )
        line = self.draft_invoice.invoice_line_ids.filtered("service_contract_id")[:1]
        self.assertTrue(line)
        self.assertRpcRefusedAs(
            self.accountant,
            "account.move.line",
            "write",
            line.ids,
            {"move_id": b_draft.id},
        )
        self.env.invalidate_all()
        self.assertEqual(line.move_id, self.draft_invoice)
        self.assertNotIn(b_draft, self.running.invoice_ids)

    @mute_logger("odoo.http")
    def test_salesperson_cannot_quote_another_customers_visit(self):
        line = self.other_order.order_line[:1]
        self.assertRpcRefusedAs(
            self.salesperson,
            "sale.order.line",
            "write",
            line.ids,
            {"service_intervention_id": self.visit_done.id},
        )
        self.assertRpcRefusedAs(
            self.salesperson,
            "sale.order",
            "write",
            self.other_order.ids,
            {
                "order_line": [
                    Command.update(
                        line.id, {"service_intervention_id": self.visit_done.id}
                    )
                ]
            },
        )
        self.env.invalidate_all()
        self.assertFalse(line.service_intervention_id)
        self.assertFalse(self.visit_done.sale_order_id)

    @mute_logger("odoo.http")
    def test_every_link_is_refused_to_every_user(self):
        """Generic: every relational field from a sale or accounting model to
        a module model, written by each kind of user on B's record to A's,
        through write, create and load, is refused and changes nothing."""
        linked = self._linked_fields()
        models = {model for model, _name in linked}
        self.assertGreaterEqual(
            models,
            {"account.move", "account.move.line", "sale.order", "sale.order.line"},
        )
        records = self._records_of_b()
        for model, name in linked:
            record = records.get(model)
            self.assertTrue(record, f"no record of customer B for {model}: add one")
            field = record._fields[name]
            target = self._record_of_a(field.comodel_name)
            many2one = field.type == "many2one"
            value = target.id if many2one else [Command.set(target.ids)]
            before = record.sudo()[name]
            for user in self.users:
                with self.subTest(model=model, field=name, user=user.login):
                    self.assertRpcRefusedAs(
                        user, model, "write", record.ids, {name: value}
                    )
                    if field.type != "one2many" and self.env[model].with_user(
                        user
                    ).has_access("create"):
                        self.assertRpcRefusedAs(
                            user, *self._create_call(model, name, value)
                        )
                        result = self.rpc(
                            user,
                            model,
                            "load",
                            [".id", f"{name}/.id"],
                            [[str(record.id), str(target.id)]],
                        )
                        self.assertFalse(result["ids"], f"{user.login} load")
                    self.env.invalidate_all()
                    self.assertEqual(record.sudo()[name], before)

    def _create_call(self, model, name, value):
        """The model, method and arguments creating a record of B carrying
        the link (a line within its document)."""
        customer = self.other_customer.id
        line = {"product_id": self.product_a.id, "quantity": 1, "price_unit": 1.0}
        if model == "account.move":
            vals = {"move_type": "out_invoice", "partner_id": customer, name: value}
            return model, "create", [vals]
        if model == "account.move.line":
            vals = {
                "move_type": "out_invoice",
                "partner_id": customer,
                "invoice_line_ids": [Command.create({**line, name: value})],
            }
            return "account.move", "create", [vals]
        if model == "account.bank.statement.line":
            vals = {
                "journal_id": self.company_data["default_journal_bank"].id,
                "partner_id": customer,
                "payment_ref": "SC Link payment",
                "amount": 1.0,
                name: value,
            }
            return model, "create", [vals]
        if model == "sale.order":
            return model, "create", [{"partner_id": customer, name: value}]
        if model == "sale.order.line":
            vals = {
                "partner_id": customer,
                "order_line": [
                    Command.create({"product_id": self.product_a.id, name: value})
                ],
            }
            return "sale.order", "create", [vals]
        self.fail(f"no way to create a record of {model}: add one")

    @mute_logger("odoo.http")
    def test_context_default_cannot_link_either(self):
        self.assertRpcRefusedAs(
            self.salesperson,
            "sale.order.line",
            "create",
            [{"order_id": self.other_order.id, "product_id": self.product_a.id}],
            context={"default_service_intervention_id": self.visit_done.id},
        )
        self.env.invalidate_all()
        self.assertEqual(len(self.other_order.order_line), 1)

    @mute_logger("odoo.http")
    def test_user_default_cannot_link_either(self):
        """A user's own ``ir.default`` (which any user can set for itself)
        is not a way around the guard: the new line is not linked."""
        user = self.salesperson
        self.rpc(
            user,
            "ir.default",
            "set",
            "sale.order.line",
            "service_intervention_id",
            self.visit_done.id,
            user_id=True,
        )
        line_id = self.rpc(
            user,
            "sale.order.line",
            "create",
            [{"order_id": self.other_order.id, "product_id": self.product_a.id}],
        )[0]
        line = self.env["sale.order.line"].browse(line_id)
        self.assertFalse(line.service_intervention_id)
        self.assertEqual(
            self.env["sale.order.line"]
            .with_user(user)
            .default_get(["service_intervention_id"]),
            {},
        )

    @mute_logger("odoo.http")
    def test_released_periods_are_not_invoiced_by_a_write(self):
        """Item 7: a contract user and accountant cannot mark a period
        invoiced by naming it on a one-unit invoice."""
        user = self.contract_accountant
        period = self.free_period
        self.assertTrue(period)
        move_id = self.rpc(
            user,
            "account.move",
            "create",
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": self.customer.id,
                    "invoice_line_ids": [
                        Command.create({"name": "One unit", "price_unit": 1.0})
                    ],
                }
            ],
        )[0]
        self.assertRpcRefusedAs(
            user,
            "account.move",
            "write",
            [move_id],
            {"service_contract_released_period_ids": [Command.set(period.ids)]},
        )
        self.rpc(user, "account.move", "action_post", [move_id])
        self.assertRpcRefusedAs(
            user,
            "account.move",
            "create",
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": self.customer.id,
                    "service_contract_released_period_ids": [Command.set(period.ids)],
                }
            ],
        )
        self.env.invalidate_all()
        self.assertEqual(period.state, "to_invoice")
        self.assertFalse(period.move_id)

    def test_duplicate_invoice_is_not_linked(self):
        copy = self.invoice.with_user(self.accountant).copy()
        self.assertFalse(copy.invoice_line_ids.service_contract_id)
        self.assertNotIn(copy, self.running.invoice_ids)


@tagged("post_install", "-at_install")
class TestPortalReadsSentContractsOnly(LinkSecurityCase):
    """Item 5: what a portal user reads over JSON-RPC."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cancelled = cls.draft.copy({"title": "SC Portal Cancelled"})
        cls.cancelled.action_cancel()
        cls.env["service.visit.plan"].create(
            [
                {"contract_id": contract.id, "name": f"Plan of {contract.title}"}
                for contract in cls.draft | cls.cancelled | cls.running
            ]
        )
        cls.draft_visit = cls.env["service.intervention"].create(
            {
                "contract_id": cls.draft.id,
                "site_id": cls.site.id,
                "date_due": fields.Date.today(),
                "description": "SC Portal visit of a draft",
            }
        )
        cls.unsent = cls.draft | cls.cancelled

    def _contract_fields(self, Model):
        return [
            name
            for name, field in Model._fields.items()
            if field.type == "many2one" and field.comodel_name == "service.contract"
        ]

    @mute_logger("odoo.http", "odoo.addons.base.models.ir_rule")
    def test_no_model_shows_unsent_contracts(self):
        """Every module model a portal user can read: nothing of a draft or
        cancelled contract, not even its name."""
        portal = self.portal_user
        unsent_names = [c.display_name for c in self.unsent] + self.unsent.mapped(
            "name"
        )
        read_models = []
        for model_name in sorted(self.env.registry):
            Model = self.env[model_name]
            if (
                not model_name.startswith("service.")
                or Model._abstract
                or not Model.with_user(portal).has_access("read")
            ):
                continue
            read_models.append(model_name)
            contract_fields = self._contract_fields(Model)
            rows = self.rpc(
                portal,
                model_name,
                "search_read",
                [],
                fields=["display_name", *contract_fields],
            )
            for row in rows:
                for name in contract_fields:
                    self.assertNotIn(
                        row[name] and row[name][0],
                        self.unsent.ids,
                        f"{model_name} {row['id']}",
                    )
                    self.assertNotIn(row[name] and row[name][1], unsent_names)
                self.assertNotIn(row["display_name"], unsent_names, model_name)
        self.assertIn("service.contract.line", read_models)
        self.assertIn("service.visit.plan", read_models)
        # The running contract's lines and plans are still read.
        lines = self.rpc(portal, "service.contract.line", "search_read", [], ["name"])
        sent = self.running | self.to_sign
        self.assertEqual({row["id"] for row in lines}, set(sent.line_ids.ids))
        plans = self.rpc(
            portal, "service.visit.plan", "search_read", [], ["contract_id"]
        )
        self.assertEqual({row["contract_id"][0] for row in plans}, {self.running.id})
        # The visit plan of a draft amendment of the running contract: not
        # sent, not shown.
        draft_plan = self.env["service.visit.plan"].create(
            {
                "name": "Plan of a draft amendment",
                "amendment_id": self.amendment.id,
                "count_per_year": 2,
            }
        )
        self.assertEqual(self.amendment.state, "draft")
        self.assertEqual(draft_plan.contract_id, self.running)
        plans = self.rpc(portal, "service.visit.plan", "search_read", [], ["name"])
        self.assertNotIn(draft_plan.id, {row["id"] for row in plans})
        self.assertTrue(plans)

    @mute_logger("odoo.http")
    def test_internal_fields_are_refused(self):
        for name in ("health", "health_details", "is_late_payer"):
            self.assertRpcRefusedAs(
                self.portal_user, "service.contract", "read", self.running.ids, [name]
            )
        described = self.rpc(self.portal_user, "service.contract", "fields_get")
        self.assertNotIn("health", described)
        self.assertNotIn("is_late_payer", described)
        row = self.rpc(
            self.portal_user, "service.contract", "read", self.running.ids, ["name"]
        )[0]
        self.assertEqual(row["name"], self.running.name)

    def test_portal_pages_still_render(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        page = self._get(f"/my/contracts/{self.running.id}").text
        self.assertIn(self.running.name, page)
        self.assertIn(self.invoice.name, page)
        self.assertIn(self.visit_done.name, page)
        listing = self._get("/my/contracts").text
        self.assertIn(self.running.name, listing)
        self.assertNotIn(self.draft.name, listing)
        visits = self._get("/my/interventions").text
        self.assertIn(self.visit_done.name, visits)
        self.assertNotIn(self.draft_visit.name, visits)
