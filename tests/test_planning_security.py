"""Attacks on the visit planner: proposal lines pointing to another
company's visits or technicians, visits given to users who are not
technicians, visits of contracts no longer running or suspended."""

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from ..models.service_lifecycle_guard import lifecycle_write
from .test_planning import TODAY, PlanningCase


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestPlannerLineIntegrity(PlanningCase):
    def _proposed(self):
        visit = self._visit()
        planner = self._planner(users=self.alice)
        planner.action_plan()
        self.assertEqual(planner.line_ids.intervention_id, visit)
        return planner, visit

    def test_line_cannot_point_to_another_company_visit(self):
        """A contract user of another company cannot point a proposal line
        (or a 'not placed' row) at this company's visit: it would show its
        customer, site and address through the line's related fields."""
        visit = self._visit()
        other = self.env["res.company"].create({"name": "SC Planning Rival"})
        stranger = new_test_user(
            self.env,
            login="sc_planning_rival",
            groups="base.group_user,service_contract.group_service_contract_user",
            company_id=other.id,
            company_ids=[Command.set(other.ids)],
        )
        technician = new_test_user(
            self.env,
            login="sc_planning_rival_tech",
            groups="base.group_user,service_contract.group_service_contract_technician",
            company_id=other.id,
            company_ids=[Command.set(other.ids)],
        )
        Planner = self.env["service.visit.planner"].with_user(stranger)
        planner = Planner.create(
            {
                "date_from": "2026-03-02",
                "date_to": "2026-03-06",
                "user_ids": [Command.set(technician.ids)],
            }
        )
        self.assertRefused(
            UserError,
            "compan",
            planner.write,
            {
                "line_ids": [
                    Command.create(
                        {
                            "intervention_id": visit.id,
                            "user_id": technician.id,
                            "date_start": "2026-03-02 08:00:00",
                            "date_stop": "2026-03-02 09:00:00",
                        }
                    )
                ]
            },
        )
        self.assertRefused(
            UserError,
            "compan",
            planner.write,
            {
                "unplaced_ids": [
                    Command.create({"intervention_id": visit.id, "reason": "no_skill"})
                ]
            },
        )

    def test_confirm_refuses_a_technician_outside_the_planner(self):
        """A line's technician edited to an internal user who is not a
        technician (a salesperson) is refused on confirmation."""
        planner, visit = self._proposed()
        salesperson = new_test_user(
            self.env,
            login="sc_planning_sales",
            groups="base.group_user,sales_team.group_sale_salesman",
        )
        planner.line_ids.user_id = salesperson
        self.assertRefused(UserError, "technician", planner.action_confirm)
        self.assertEqual(visit.state, "to_plan")
        self.assertFalse(visit.user_id)

    def test_confirm_refuses_a_visit_of_a_suspended_contract(self):
        """A line edited to a visit the planner would never place (its
        contract is suspended for non-payment, or no longer running) is
        refused on confirmation."""
        planner, _visit = self._proposed()
        other_contract = self._create_running_contract(
            site_ids=[Command.set(self.site_a.ids)]
        )
        suspended = self.env["service.intervention"].create(
            {
                "contract_id": other_contract.id,
                "site_id": self.site_a.id,
                "kind": "preventive",
                "date_due": "2026-03-06",
            }
        )
        with lifecycle_write():
            other_contract.sudo().dunning_suspended = True
        planner.line_ids.intervention_id = suspended
        self.assertRefused(UserError, suspended.name, planner.action_confirm)
        self.assertEqual(suspended.state, "to_plan")
        self.assertFalse(suspended.date_planned_start)

    def test_another_company_reads_no_certificates(self):
        """A contract user of another company does not read this company's
        technicians' skills (their certificate numbers)."""
        held = self.env["service.user.skill"].create(
            {"user_id": self.alice.id, "skill_id": self.gas.id, "reference": "GAS-1"}
        )
        other = self.env["res.company"].create({"name": "SC Skills Rival"})
        stranger = new_test_user(
            self.env,
            login="sc_skills_rival",
            groups="base.group_user,service_contract.group_service_contract_user",
            company_id=other.id,
            company_ids=[Command.set(other.ids)],
        )
        UserSkill = self.env["service.user.skill"].with_user(stranger)
        self.assertFalse(UserSkill.search([("id", "=", held.id)]))
        self.assertEqual(UserSkill.search([("user_id", "=", self.alice.id)]).ids, [])
        # The planner's own contract user still reads them.
        self.assertEqual(
            self.env["service.user.skill"]
            .with_user(self.planner_user)
            .search([("id", "=", held.id)]),
            held,
        )

    def test_reschedule_note_is_text_in_the_office_activity(self):
        """The customer's note (portal, another date) is shown as text in
        the office's activity: no image loaded from the customer's server,
        no link disguised behind other words."""
        visit = self._visit()
        visit.write(
            {"user_id": self.alice.id, "date_planned_start": "2026-03-02 08:00:00"}
        )
        visit.action_plan()
        note = (
            '<img src="https://evil.example/p.png"><a href="https://evil.example">x</a>'
        )
        visit.sudo().action_return_to_planning(note)
        activity = visit.activity_ids.filtered(
            lambda a: a.summary == "Customer asks for another date"
        )
        self.assertNotIn("<img", activity.note)
        self.assertNotIn('">x</a>', activity.note)  # no disguised link
        self.assertIn("evil.example/p.png", activity.note)
