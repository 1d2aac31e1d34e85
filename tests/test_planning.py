"""The visit planner (Interventions > Plan Visits): skills and their expiry,
leaves, working hours, site opening hours, fixed appointments, confirmation,
re-planning, held visits, OR-Tools missing, and who may use it.

Every plan is verified by the independent checker ``planning_checker``,
which re-reads the database. Solves are deterministic (a local optimum).
"""

import sys
from datetime import date, datetime
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from ..models.service_lifecycle_guard import lifecycle_write
from .common import RpcMixin, ServiceContractCase, create_contract, new_tour_user
from .planning_checker import check_visits

TODAY = datetime(2026, 2, 20, 9, 0)
MONDAY = date(2026, 3, 2)
FRIDAY = date(2026, 3, 6)
WEDNESDAY = datetime(2026, 3, 3, 23)  # 00:00 in Paris
TZ = "Europe/Paris"  # UTC+1 in March (before the 29th)


WORKDAYS = range(5)


def calendar(env, name, spans, days=WORKDAYS):
    """A calendar of (hour_from, hour_to) spans each day of ``days``."""
    return env["resource.calendar"].create(
        {
            "name": name,
            "tz": TZ,
            "attendance_ids": [Command.clear()]
            + [
                Command.create(
                    {
                        "name": f"{day} {start}",
                        "dayofweek": str(day),
                        "hour_from": start,
                        "hour_to": end,
                        "day_period": "morning" if start < 12 else "afternoon",
                    }
                )
                for day in days
                for start, end in spans
            ],
        }
    )


@tagged("post_install", "-at_install")
class PlanningCase(ServiceContractCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.partner_id.write(
            {"tz": TZ, "partner_latitude": 45.7485, "partner_longitude": 4.8467}
        )
        cls.calendar = calendar(cls.env, "8-12 13-17", [(8, 12), (13, 17)])
        cls.company.resource_calendar_id = cls.calendar
        cls.gas = cls.env["service.skill"].create({"name": "Gas boiler"})
        cls.planner_user = new_test_user(
            cls.env,
            login="sc_planner",
            groups="base.group_user,service_contract.group_service_contract_user",
        )
        cls.alice, cls.bob = (
            new_test_user(
                cls.env,
                login=login,
                name=login.title(),
                groups="base.group_user,"
                "service_contract.group_service_contract_technician",
                tz=TZ,
            )
            for login in ("alice", "bob")
        )
        cls.resources = {
            user: cls.env["resource.resource"].create(
                {
                    "name": user.name,
                    "user_id": user.id,
                    "calendar_id": cls.calendar.id,
                    "tz": TZ,
                }
            )
            for user in (cls.alice, cls.bob)
        }
        (cls.site_a | cls.site_b).write({"partner_latitude": 45.76})
        cls.site_a.partner_longitude = 4.85
        cls.site_b.partner_longitude = 4.86
        cls.contract = cls._create_running_contract(
            site_ids=[Command.set((cls.site_a | cls.site_b).ids)]
        )

    def _visit(self, first=MONDAY, last=FRIDAY, site=None, hours=1.0, **values):
        return self.env["service.intervention"].create(
            {
                "contract_id": self.contract.id,
                "site_id": (site or self.site_a).id,
                "kind": "preventive",
                "date_due": last,
                "date_window_start": first,
                "date_window_end": last,
                "duration_expected": hours,
                **values,
            }
        )

    def _planner(self, users=None, date_from=MONDAY, date_to=FRIDAY, **values):
        return (
            self.env["service.visit.planner"]
            .with_user(self.planner_user)
            .with_context(service_planner_deterministic=True)
            .create(
                {
                    "date_from": date_from,
                    "date_to": date_to,
                    "user_ids": [Command.set((users or self.alice | self.bob).ids)],
                    **values,
                }
            )
        )

    def _leave(self, user, start, end):
        return self.env["resource.calendar.leaves"].create(
            {
                "name": "Leave",
                "resource_id": self.resources[user].id,
                "calendar_id": self.calendar.id,
                "date_from": start,
                "date_to": end,
            }
        )

    def _lines(self, planner, visit):
        return planner.line_ids.filtered(lambda line: line.intervention_id == visit)

    def assertValid(self, visits):
        self.assertEqual(check_visits(self.env, visits), [])


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestPlanner(PlanningCase):
    def test_expired_certification_is_no_qualified_technician(self):
        self.env["service.user.skill"].create(
            {
                "user_id": self.alice.id,
                "skill_id": self.gas.id,
                "date_expiry": date(2026, 3, 31),
            }
        )
        early = self._visit(date(2026, 3, 30), date(2026, 3, 31))
        late = self._visit(date(2026, 4, 1), date(2026, 4, 3))
        (early | late).skill_ids = self.gas
        planner = self._planner(date_from=date(2026, 3, 30), date_to=date(2026, 4, 3))
        planner.action_plan()
        self.assertEqual(self._lines(planner, early).user_id, self.alice)
        self.assertEqual(planner.unplaced_ids.intervention_id, late)
        self.assertEqual(planner.unplaced_ids.reason, "no_skill")
        # Moved by hand to a technician without the skill: refused.
        line = self._lines(planner, early)
        start, stop = line.date_start, line.date_stop
        line.user_id = self.bob
        with self.assertRaisesRegex(UserError, "lack a skill"):
            planner.action_confirm()
        self.assertEqual(
            (early.state, early.user_id), ("to_plan", self.env["res.users"])
        )
        # Back to Alice, but after her certification expired: refused too.
        line.write(
            {
                "user_id": self.alice.id,
                "date_start": datetime(2026, 4, 1, 8),
                "date_stop": datetime(2026, 4, 1, 9),
            }
        )
        with self.assertRaisesRegex(UserError, "lack a skill"):
            planner.action_confirm()
        line.write({"date_start": start, "date_stop": stop})
        planner.action_confirm()
        self.assertEqual(late.state, "to_plan")
        self.assertValid(early)

    def test_skills_come_from_the_plan_and_the_equipment(self):
        lift = self.env["service.skill"].create({"name": "Lift"})
        category = self.env["service.equipment.category"].create(
            {"name": "Lifts", "skill_ids": [Command.set(lift.ids)]}
        )
        equipment = self.env["service.equipment"].create(
            {
                "name": "Lift 1",
                "category_id": category.id,
                "partner_id": self.customer.id,
                "site_id": self.site_a.id,
            }
        )
        visit = self._visit(equipment_ids=[Command.set(equipment.ids)])
        self.assertEqual(visit.skill_ids, lift)

    def test_contract_plans_copy_the_template_skills(self):
        template = self.env["service.contract.template"].create(
            {
                "name": "Gas boilers",
                "line_ids": [Command.create({"name": "Cover", "price_unit": 60.0})],
                "visit_plan_ids": [
                    Command.create(
                        {
                            "name": "Boiler service",
                            "skill_ids": [Command.set(self.gas.ids)],
                        }
                    )
                ],
            }
        )
        contract = create_contract(
            self.env,
            self.customer,
            template=template,
            date_start=date(2026, 2, 1),
            sign=True,
        )
        self.assertEqual(contract.visit_plan_ids.skill_ids, self.gas)
        contract._generate_interventions(date(2026, 2, 20))
        self.assertEqual(contract.intervention_ids.skill_ids, self.gas)

    def test_full_day_leave_avoided_and_hours_kept(self):
        # Alice is off on Tuesday; ten one-hour visits of Tuesday only.
        self._leave(self.alice, datetime(2026, 3, 2, 23), datetime(2026, 3, 3, 23))
        tuesday = date(2026, 3, 3)
        visits = self.env["service.intervention"].browse(
            [self._visit(tuesday, tuesday).id for _i in range(10)]
        )
        planner = self._planner()
        planner.action_plan()
        self.assertFalse(planner.line_ids.filtered(lambda x: x.user_id == self.alice))
        self.assertEqual(planner.line_ids.user_id, self.bob)
        # Bob works 8 h: at most 8 one-hour visits, the others unplaced.
        self.assertLessEqual(len(planner.line_ids), 8)
        self.assertEqual(
            set(planner.unplaced_ids.mapped("reason")) - {"no_capacity"}, set()
        )
        planner.action_confirm()
        self.assertValid(visits.filtered(lambda v: v.state == "planned"))

    def test_site_open_in_the_afternoon(self):
        self.site_b.service_opening_calendar_id = calendar(
            self.env, "14-17", [(14, 17)]
        )
        visit = self._visit(MONDAY, MONDAY, site=self.site_b)
        planner = self._planner()
        planner.action_plan()
        planner.action_confirm()
        self.assertEqual(visit.state, "planned")
        # 14:00 Paris = 13:00 UTC at the earliest.
        self.assertGreaterEqual(visit.date_planned_start, datetime(2026, 3, 2, 13))
        self.assertLessEqual(visit.date_planned_end, datetime(2026, 3, 2, 16))
        self.assertValid(visit)

    def test_planned_visit_kept_and_confirm_writes(self):
        fixed = self._visit(
            user_id=self.alice.id,
            date_planned_start=datetime(2026, 3, 3, 9),  # 10:00 in Paris
            date_planned_end=datetime(2026, 3, 3, 10),
        )
        fixed.action_plan()
        visits = self._visit() | self._visit(site=self.site_b) | self._visit()
        planner = self._planner()
        planner.action_plan()
        self.assertTrue(self._lines(planner, fixed).fixed)
        line = self._lines(planner, fixed)
        self.assertEqual(line.date_start, fixed.date_planned_start)
        Intervention = type(self.env["service.intervention"])
        with patch.object(
            Intervention, "_on_planned_by_planner", autospec=True
        ) as on_planned:
            planner.action_confirm()
        # The customers' messages hook runs once, on the visits just planned.
        on_planned.assert_called_once()
        self.assertEqual(on_planned.call_args.args[0], visits)
        self.assertEqual(planner.state, "confirmed")
        self.assertEqual(fixed.date_planned_start, datetime(2026, 3, 3, 9))
        self.assertEqual(fixed.user_id, self.alice)
        for visit in visits:
            line = self._lines(planner, visit)
            self.assertEqual(visit.state, "planned")
            self.assertEqual(visit.user_id, line.user_id)
            self.assertEqual(visit.date_planned_start, line.date_start)
            self.assertEqual(visit.date_planned_end, line.date_stop)
        self.assertValid(visits | fixed)

    def test_unreachable_appointment_kept_as_busy_time(self):
        """An appointment too far to drive to within the day (a site in
        Nantes for a technician of Lyon) stays, and the rest is planned."""
        self.site_b.write({"partner_latitude": 47.2184, "partner_longitude": -1.5536})
        far = self._visit(
            site=self.site_b,
            user_id=self.alice.id,
            date_planned_start=datetime(2026, 3, 2, 9),
            date_planned_end=datetime(2026, 3, 2, 10),
        )
        far.action_plan()
        visit = self._visit(MONDAY, MONDAY)
        planner = self._planner(users=self.alice)
        planner.action_plan()
        self.assertTrue(self._lines(planner, far).fixed)
        planner.action_confirm()
        self.assertEqual(far.date_planned_start, datetime(2026, 3, 2, 9))
        self.assertEqual(visit.state, "planned")
        self.assertEqual(visit.user_id, self.alice)
        self.assertFalse(check_visits(self.env, visit))
        self.assertTrue(
            visit.date_planned_end <= far.date_planned_start
            or visit.date_planned_start >= far.date_planned_end
        )

    def test_confirm_refuses_a_visit_changed_meanwhile(self):
        visit = self._visit()
        planner = self._planner()
        planner.action_plan()
        visit.action_cancel()
        with self.assertRaisesRegex(UserError, "changed since the proposal"):
            planner.action_confirm()
        self.assertEqual(planner.state, "proposed")

    def test_replan_sick_technician_moves_only_his_days(self):
        visits = self.env["service.intervention"].browse(
            [self._visit(site=site).id for site in (self.site_a, self.site_b) * 3]
        )
        planner = self._planner()
        planner.action_plan()
        # The planner drags one visit to Alice's Wednesday, 09:00 in Paris.
        wednesday = self._lines(planner, visits[0])
        wednesday.write(
            {
                "user_id": self.alice.id,
                "date_start": datetime(2026, 3, 4, 8),
                "date_stop": datetime(2026, 3, 4, 9),
            }
        )
        planner.action_confirm()
        self.assertValid(visits)
        before = {v: (v.user_id, v.date_planned_start) for v in visits}
        with freeze_time(datetime(2026, 3, 3, 9)):
            # Alice is sick from Wednesday to Friday.
            self._leave(self.alice, datetime(2026, 3, 3, 23), datetime(2026, 3, 6, 23))
            planner.action_replan()
            self.assertEqual(planner.date_from, date(2026, 3, 4))
            planner.action_confirm()
        for visit, (user, start) in before.items():
            if user == self.alice and start >= WEDNESDAY:
                self.assertEqual(visit.user_id, self.bob, visit.name)
                self.assertGreaterEqual(visit.date_planned_start, WEDNESDAY)
            else:
                self.assertEqual(
                    (visit.user_id, visit.date_planned_start), (user, start)
                )
        self.assertEqual(visits[0].user_id, self.bob)
        self.assertValid(visits)

    def test_checker_catches_faults(self):
        """The independent checker is not blind: a visit during a leave, at
        lunch, outside the site's hours and without the skill is refused."""
        self.site_b.service_opening_calendar_id = calendar(
            self.env, "14-17", [(14, 17)]
        )
        self._leave(self.alice, datetime(2026, 3, 2, 23), datetime(2026, 3, 3, 23))
        visit = self._visit(
            site=self.site_b,
            user_id=self.alice.id,
            date_planned_start=datetime(2026, 3, 3, 11),  # 12:00 in Paris
            date_planned_end=datetime(2026, 3, 3, 12),
            skill_ids=[Command.set(self.gas.ids)],
        )
        visit.action_plan()
        other = self._visit(
            user_id=self.alice.id,
            date_planned_start=datetime(2026, 3, 3, 11, 30),
            date_planned_end=datetime(2026, 3, 3, 12, 30),
        )
        other.action_plan()
        errors = "\n".join(check_visits(self.env, visit | other))
        for fault in ("lacks", "working hours", "leave", "opening hours", "overlap"):
            self.assertIn(fault, errors)

    def test_held_visit_skipped(self):
        held = self._visit()
        with lifecycle_write():
            held.dunning_held = True
        planner = self._planner()
        planner.action_plan()
        self.assertNotIn(held, planner.line_ids.intervention_id)
        self.assertNotIn(held, planner.unplaced_ids.intervention_id)

    def test_visit_without_coordinates_listed(self):
        customer, site = (
            self.customer,
            self.env["res.partner"].create(
                {"name": "Nowhere", "type": "site", "parent_id": self.customer.id}
            ),
        )
        self.assertTrue(customer)
        self.contract.site_ids |= site
        visit = self._visit(site=site)
        planner = self._planner()
        planner.action_plan()
        self.assertEqual(
            planner.unplaced_ids.filtered(lambda u: u.intervention_id == visit).reason,
            "no_coordinates",
        )

    def test_sites_geocoded_with_the_configured_geocoder(self):
        def site(name, street):
            return self.env["res.partner"].create(
                {
                    "name": name,
                    "type": "site",
                    "parent_id": self.customer.id,
                    "street": street,
                    "city": "Lyon",
                }
            )

        found, lost = site("Found", "1 rue Garibaldi"), site("Lost", "Nowhere")
        self.contract.site_ids |= found | lost
        visits = self._visit(site=found) | self._visit(site=lost)
        asked = []

        def geo_find(geocoder, address, **kwargs):
            asked.append(address)
            return (45.7601, 4.8519) if "Garibaldi" in address else None

        geocoder = type(self.env["base.geocoder"])
        planner = self._planner().with_context(force_geo_localize=True)
        with patch.object(geocoder, "geo_find", geo_find):
            # No geocoder configured: nothing is looked up.
            planner.action_plan()
            self.assertEqual(asked, [])
            self.env["ir.config_parameter"].sudo().set_param(
                "base_geolocalize.geo_provider",
                self.env.ref("base_geolocalize.geoprovider_open_street").id,
            )
            planner.action_plan()
        self.assertEqual(
            (found.partner_latitude, found.partner_longitude), (45.7601, 4.8519)
        )
        self.assertTrue(self._lines(planner, visits[0]))
        self.assertEqual(
            planner.unplaced_ids.filtered(
                lambda u: u.intervention_id == visits[1]
            ).reason,
            "no_coordinates",
        )
        # A geocoder that cannot be reached: the others are still planned.
        asked.clear()
        with (
            patch.object(geocoder, "geo_find", side_effect=UserError("Offline")),
            mute_logger(
                "odoo.addons.service_contract.models.service_planning_intervention"
            ),
        ):
            planner.action_plan()
        self.assertTrue(self._lines(planner, visits[0]))
        self.assertIn(visits[1], planner.unplaced_ids.intervention_id)

    def test_without_ortools(self):
        self._visit()
        planner = self._planner()
        hidden = {name: None for name in sys.modules if name.startswith("ortools")}
        with patch.dict(sys.modules, {"ortools": None, **hidden}):
            with self.assertRaisesRegex(UserError, "pip install ortools"):
                planner.action_plan()
            self.assertEqual(planner.state, "draft")
            # The rest of the module works: visits are generated.
            contract = create_contract(
                self.env,
                self.customer,
                template=self.template,
                date_start=date(2026, 2, 1),
                sign=True,
                visit_plan_ids=[
                    Command.create({"name": "Service", "count_per_year": 2})
                ],
            )
            contract._generate_interventions(date(2026, 2, 20))
            self.assertTrue(contract.intervention_ids)


@tagged("post_install", "-at_install")
class TestSkillAccess(PlanningCase):
    def test_who_reads_and_writes_skills(self):
        held = self.env["service.user.skill"].create(
            [
                {"user_id": user.id, "skill_id": self.gas.id}
                for user in (self.alice, self.bob)
            ]
        )
        UserSkill = self.env["service.user.skill"]
        # A technician reads their own skills only, and changes none.
        own = UserSkill.with_user(self.alice).search([])
        self.assertEqual(own, held.filtered(lambda s: s.user_id == self.alice))
        self.assertRefused(
            AccessError, "", held[0].with_user(self.alice).write, {"reference": "X"}
        )
        # A contract user reads them all; a contract manager writes them.
        self.assertEqual(
            UserSkill.with_user(self.planner_user).search(
                [("user_id", "in", (self.alice | self.bob).ids)]
            ),
            held,
        )
        self.assertRefused(
            AccessError,
            "",
            self.env["service.skill"].with_user(self.planner_user).create,
            {"name": "Lift"},
        )
        manager = new_test_user(
            self.env,
            login="sc_skill_manager",
            groups="base.group_user,service_contract.group_service_contract_manager",
        )
        held[1].with_user(manager).date_expiry = date(2026, 12, 31)
        self.assertEqual(held[1].date_expiry, date(2026, 12, 31))


@tagged("post_install", "-at_install")
class TestPlannerCompanies(PlanningCase):
    def test_another_company_sees_no_planning(self):
        planner = self._planner()
        other = self.env["res.company"].create({"name": "SC Planning Other"})
        stranger = new_test_user(
            self.env,
            login="sc_planning_stranger",
            groups="base.group_user,service_contract.group_service_contract_user",
            company_id=other.id,
            company_ids=[Command.set(other.ids)],
        )
        Planner = self.env["service.visit.planner"].with_user(stranger)
        self.assertFalse(Planner.search([("id", "=", planner.id)]))
        self.assertRefused(
            AccessError, "", planner.with_user(stranger).check_access, "read"
        )
        self.assertFalse(
            self.env["service.visit.planner.line"]
            .with_user(stranger)
            .search([("planner_id", "=", planner.id)])
        )


@tagged("post_install", "-at_install")
class TestPlannerAccess(RpcMixin, HttpCase):
    @mute_logger("odoo.http", "odoo.addons.base.models.ir_model")
    def test_technician_and_portal_cannot_use_the_planner(self):
        technician = new_tour_user(
            self.env,
            "sc_plan_technician",
            "base.group_user,service_contract.group_service_contract_technician",
        )
        portal = new_tour_user(self.env, "sc_plan_portal", "base.group_portal")
        user = new_tour_user(
            self.env,
            "sc_plan_user",
            "base.group_user,service_contract.group_service_contract_user",
        )
        planner_id = self.rpc(
            user,
            "service.visit.planner",
            "create",
            {
                "date_from": "2026-03-02",
                "date_to": "2026-03-06",
                "user_ids": [Command.set(technician.ids)],
            },
        )
        for attacker in (technician, portal):
            self._rpc_login = None
            for method, args in (
                ("read", [[planner_id], ["state"]]),
                ("action_plan", [[planner_id]]),
                ("action_confirm", [[planner_id]]),
                ("create", [{"date_from": "2026-03-02", "date_to": "2026-03-06"}]),
            ):
                error = self.assertRpcRefused(
                    attacker, "service.visit.planner", method, *args
                )
                self.assertIn("AccessError", str(error), (attacker.login, method))
        self.assertEqual(
            self.env["service.visit.planner"].browse(planner_id).state, "draft"
        )
