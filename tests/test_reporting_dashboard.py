"""The manager's dashboard: exact figures per tile, and every tile opens the
records behind its figure, for a manager and for a contract user without
accounting rights."""

from datetime import date, datetime

from freezegun import freeze_time

from odoo import Command
from odoo.tests import new_test_user, tagged

from .common import InvoicingCase

TODAY = date(2026, 6, 15)


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestDashboard(InvoicingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.company_data["company"]

        def user(login, groups):
            return new_test_user(
                cls.env,
                login=login,
                groups=f"base.group_user,{groups}",
                company_id=company.id,
                company_ids=[Command.set(company.ids)],
            )

        cls.manager = user(
            "sc_dash_manager",
            "service_contract.group_service_contract_manager,"
            "account.group_account_invoice",
        )
        cls.contract_user = user(
            "sc_dash_user", "service_contract.group_service_contract_user"
        )
        cls.technician = user(
            "sc_dash_tech", "service_contract.group_service_contract_technician"
        )
        # Ends 2026-07-31 (within 90 days), notice deadline 2026-06-30.
        cls.ending = cls._contract(start=date(2025, 8, 1))
        # Ends 2026-08-31; notice received today: will not be renewed.
        cls.noticed = cls._contract(start=date(2025, 9, 1))
        cls.noticed._register_notice(TODAY, "customer", "Moves out")
        # Terminated for cause at the end of the month.
        cls.terminated = cls._contract()
        cls.terminated._terminate(date(2026, 6, 30), "cause", "Unpaid")
        # Runs until 2027-01-14: in none of the contract tiles.
        cls.running = cls._contract()
        # A draft contract ending soon counts nowhere.
        cls._contract(start=date(2025, 8, 1), sign=False)

        def visit(due, window_end, technician, state=None):
            intervention = cls.env["service.intervention"].create(
                {
                    "contract_id": cls.running.id,
                    "date_due": due,
                    "date_window_end": window_end,
                    "user_id": technician.id,
                }
            )
            if state:
                intervention.action_cancel()
            return intervention

        cls.late = visit(date(2026, 6, 1), date(2026, 6, 10), cls.technician)
        cls.due = visit(date(2026, 6, 20), date(2026, 6, 25), cls.technician)
        cls.due_unassigned = visit(
            date(2026, 6, 16), date(2026, 6, 30), cls.env["res.users"]
        )
        visit(date(2026, 8, 1), date(2026, 8, 10), cls.technician)  # not yet due
        visit(date(2026, 6, 1), date(2026, 6, 10), cls.technician, state="cancel")
        # A visit of 2.5 h at 40.00 an hour, done on the contract ending
        # soon: its margin over the term is -100.00, the lowest.
        company.write({"service_hourly_cost": 40.0, "service_travel_cost": 0.0})
        done = cls.env["service.intervention"].create(
            {
                "contract_id": cls.ending.id,
                "date_due": TODAY,
                "user_id": cls.technician.id,
                "duration_actual": 2.5,
            }
        )
        done.action_done()
        # The customers' ratings of visits, by the day they were given: three
        # within 12 months (two satisfied), one older, one never given.
        model = cls.env["ir.model"]._get_id("service.intervention")
        given = {
            5: datetime(2026, 6, 1, 10),
            4: datetime(2026, 1, 10, 10),
            1: datetime(2025, 7, 1, 10),
            3: datetime(2025, 6, 1, 10),
            0: datetime(2026, 6, 2, 10),
        }
        for rating, when in given.items():
            record = cls.env["rating.rating"].create(
                {
                    "res_model_id": model,
                    "res_id": visit(
                        date(2026, 5, 1), date(2026, 5, 10), cls.technician, "cancel"
                    ).id,
                    "rating": rating,
                    "consumed": bool(rating),
                }
            )
            record.flush_recordset()
            # The day it was given (the ORM stamps the database's clock).
            cls.env.cr.execute(
                "UPDATE rating_rating SET write_date = %s WHERE id = %s",
                (when, record.id),
            )

        # Overdue: two invoices of the contract customer, one of a customer
        # without contract, one not due yet.
        cls.overdue_invoices = cls.init_invoice(
            "out_invoice",
            partner=cls.customer,
            invoice_date=date(2026, 4, 1),
            amounts=[500.0],
            post=True,
        ) + cls.init_invoice(
            "out_invoice",
            partner=cls.customer,
            invoice_date=date(2026, 5, 1),
            amounts=[200.0],
            post=True,
        )
        cls.init_invoice(
            "out_invoice",
            partner=cls.partner_b,
            invoice_date=date(2026, 4, 1),
            amounts=[900.0],
            post=True,
        )
        cls.init_invoice(
            "out_invoice",
            partner=cls.customer,
            invoice_date=TODAY,
            amounts=[300.0],
            post=True,
        )

    def _tiles(self, user):
        Dashboard = self.env["service.contract.dashboard"].with_user(user)
        return {tile.tile: tile for tile in Dashboard.search([])}

    def _figures(self, tile):
        return (tile.record_count, tile.record_count_secondary, tile.amount)

    def _open(self, tile):
        """What the web client does when a tile is clicked: run the action,
        load each of its views and read the records as the view does.
        Returns the number of records behind the tile."""
        action = tile.action_open()
        self.assertEqual(action["type"], "ir.actions.act_window")
        Model = self.env[action["res_model"]].with_user(tile.env.user)
        Model = Model.with_context(**action.get("context", {}))
        domain = action["domain"]
        views = Model.get_views(action["views"])["views"]
        self.assertEqual(set(views), {view_type for _id, view_type in action["views"]})
        context = action["context"]
        for view_type in views:
            if view_type == "list":
                if context["group_by"]:
                    Model.web_read_group(domain, ["__count"], context["group_by"])
                Model.web_search_read(domain, {"display_name": {}}, limit=80)
            elif view_type in ("pivot", "graph"):
                groupby = context.get(
                    "pivot_row_groupby" if view_type == "pivot" else "graph_groupbys"
                )
                Model.read_group(domain, ["__count"], groupby[:1], lazy=False)
        return Model.search_count(domain)

    def test_figures(self):
        tiles = self._tiles(self.manager)
        self.assertEqual(
            list(tiles),
            [
                "mrr",
                "mrr_movement",
                "term",
                "notice",
                "churn",
                "at_risk",
                "visits_due",
                "visits_late",
                "overdue",
                "least_profitable",
                "visit_rating",
            ],
        )
        # MRR: the four running contracts (310.00 a month each; the
        # terminated one still runs until the end of the month); ARR x 12.
        self.assertEqual(tiles["mrr"].record_count, 4)
        self.assertEqual(tiles["mrr"].amount, 1240.0)
        self.assertEqual(tiles["mrr"].amount_secondary, 14880.0)
        # Movement over 12 months: four new contracts, nothing lost yet (the
        # termination takes effect next month).
        self.assertEqual(self._figures(tiles["mrr_movement"]), (4, 0, 1240.0))
        self.assertEqual(tiles["mrr_movement"].amount_secondary, 0.0)
        self.assertEqual(tiles["term"].company_id, self.company_data["company"])
        # Ending within 90 days: the contract ending in July and the noticed
        # one ending in August (not renewed); not the terminated one.
        self.assertEqual(self._figures(tiles["term"]), (2, 1, 0.0))
        # Notice deadline within 60 days and no notice yet: only one.
        self.assertEqual(self._figures(tiles["notice"]), (1, 0, 0.0))
        # Churn: the notice and the termination (one).
        self.assertEqual(self._figures(tiles["churn"]), (2, 1, 0.0))
        # Visits due within 14 days, one without technician; one late.
        self.assertEqual(self._figures(tiles["visits_due"]), (2, 1, 0.0))
        self.assertEqual(self._figures(tiles["visits_late"]), (1, 0, 0.0))
        # Overdue: the two invoices of the contract customer.
        expected = sum(self.overdue_invoices.mapped("amount_residual_signed"))
        self.assertEqual(self._figures(tiles["overdue"]), (2, 1, expected))
        self.assertTrue(tiles["overdue"].currency_id.compare_amounts(expected, 0))
        # Least profitable: the four running contracts, one losing 100.00.
        self.assertEqual(self.ending.margin, -100.0)
        self.assertEqual(self._figures(tiles["least_profitable"]), (4, 1, -100.0))
        # Visit satisfaction: 2 of the 3 ratings of 12 months are 4 or 5
        # (67 %), 3.3 / 5 on average.
        self.assertEqual(self._figures(tiles["visit_rating"]), (67, 3, 0.0))
        self.assertEqual(
            tiles["visit_rating"].description, "3 ratings, 3.3 / 5 on average."
        )
        # Health is computed by its scheduled action: nothing at risk yet.
        self.assertEqual(self._figures(tiles["at_risk"]), (0, 0, 0.0))

    def test_contracts_at_risk(self):
        self.env["service.contract"]._cron_update_health(today=TODAY)
        at_risk = self.env["service.contract"].search(
            [("state", "=", "running"), ("health", "=", "at_risk")]
        )
        self.assertTrue(at_risk, "the notice received puts a contract at risk")
        tile = self._tiles(self.manager)["at_risk"]
        self.assertEqual(tile.record_count, len(at_risk))
        self.assertEqual(tile.amount, sum(at_risk.mapped("amount_monthly")))
        action = tile.action_open()
        self.assertEqual(self.env["service.contract"].search(action["domain"]), at_risk)

    def test_least_profitable_opens_lowest_margin_first(self):
        action = self._tiles(self.manager)["least_profitable"].action_open()
        contracts = self.env["service.contract"].search(
            action["domain"], order="margin, id"
        )
        self.assertEqual(len(contracts), 4)
        self.assertEqual(contracts[0], self.ending)
        view = self.env["ir.ui.view"].browse(action["views"][0][0])
        self.assertIn('default_order="margin, id"', view.arch_db)

    def test_every_tile_opens_its_records_for_a_manager(self):
        tiles = self._tiles(self.manager)
        for key, tile in tiles.items():
            with self.subTest(tile=key):
                # The satisfaction tile's figure is a share of its ratings.
                count = (
                    tile.record_count_secondary
                    if key == "visit_rating"
                    else tile.record_count
                )
                self.assertEqual(self._open(tile), count)
        action = tiles["visits_late"].action_open()
        self.assertEqual(
            self.env["service.intervention"].search(action["domain"]), self.late
        )
        action = tiles["overdue"].action_open()
        self.assertEqual(action["res_model"], "account.move")
        self.assertEqual(
            self.env["account.move"].search(action["domain"]), self.overdue_invoices
        )
        action = tiles["term"].action_open()
        self.assertEqual(
            self.env["service.contract"].search(action["domain"]),
            self.ending + self.noticed,
        )

    def test_contract_user_without_accounting_rights(self):
        """The tiles open for a contract user who cannot read invoices: the
        overdue receivables open the contracts of late payers instead."""
        self.assertFalse(
            self.env["account.move"].with_user(self.contract_user).has_access("read")
        )
        tiles = self._tiles(self.contract_user)
        self.assertEqual(len(tiles), 11)
        for key, tile in tiles.items():
            with self.subTest(tile=key):
                self._open(tile)
        action = tiles["overdue"].action_open()
        self.assertEqual(action["res_model"], "service.contract")

    def test_first_screen(self):
        """Managers land on the dashboard; contract users keep the contracts
        and technicians their day (My Day)."""
        menus = self.env["ir.ui.menu"]
        root = self.env.ref("service_contract.service_contract_menu_root")
        expected = {
            self.manager: "service_contract.service_contract_dashboard_action",
            self.contract_user: "service_contract.service_contract_action",
            self.technician: "service_contract.service_intervention_action_my_day",
        }
        for user, xmlid in expected.items():
            with self.subTest(user=user.login):
                web_menus = menus.with_user(user).load_web_menus(False)
                self.assertEqual(web_menus[root.id]["actionID"], self.env.ref(xmlid).id)

    def test_technician_has_no_dashboard(self):
        self.assertFalse(
            self.env["service.contract.dashboard"]
            .with_user(self.technician)
            .has_access("read")
        )
