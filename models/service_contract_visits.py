from datetime import timedelta

import psycopg2

from odoo import Command, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL
from odoo.tools.translate import LazyTranslate

from .selection import selection_label
from .service_batch_runner import run_isolated

_lt = LazyTranslate(__name__)


class ServiceContract(models.Model):
    """Preventive visit plans and the interventions generated from them."""

    _inherit = "service.contract"

    visit_plan_ids = fields.One2many("service.visit.plan", "contract_id", copy=True)
    intervention_ids = fields.One2many(
        "service.intervention", "contract_id", string="Interventions"
    )
    technician_id = fields.Many2one(
        "res.users",
        check_company=True,
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
        help="Technician to whom new visits are assigned.",
    )
    date_visits_from = fields.Date(
        string="Visits From",
        help="Preventive visits are generated from this date; leave empty to "
        "start from the start date (set it to skip visits of a contract "
        "taken over from another provider).",
    )
    intervention_count = fields.Integer(compute="_compute_visit_counters")
    visits_done_count = fields.Integer(
        string="Visits Done", compute="_compute_visit_counters"
    )
    visits_due_count = fields.Integer(
        string="Visits Due",
        compute="_compute_visit_counters",
        help="Preventive visits the plan calls for in the current term.",
    )
    next_visit_date = fields.Date(compute="_compute_visit_counters")
    doc_visits = fields.Html(compute="_compute_doc_visits")

    @api.depends(
        "intervention_ids.state",
        "intervention_ids.date_due",
        "visit_plan_ids",
        "visit_plan_ids.equipment_ids.state",
        "date_end",
    )
    def _compute_visit_counters(self):
        Intervention = self.env["service.intervention"]
        counts = dict(
            Intervention._read_group(
                [("contract_id", "in", self.ids)], ["contract_id"], ["__count"]
            )
        )
        # The earliest visit still open (to plan or planned), whatever the
        # order of the states.
        next_dates = dict(
            Intervention._read_group(
                [
                    ("contract_id", "in", self.ids),
                    ("state", "in", ("to_plan", "planned")),
                ],
                ["contract_id"],
                ["date_due:min"],
            )
        )
        for contract in self:
            contract.intervention_count = counts.get(contract, 0)
            contract.next_visit_date = next_dates.get(contract, False)
            start, end = contract._get_current_term()[0], contract.date_end
            done = due = 0
            if start and end:
                done = len(
                    contract.intervention_ids.filtered(
                        lambda i, s=start, e=end: i.state == "done"
                        and i.kind == "preventive"
                        and s <= i.date_due <= e
                    )
                )
                for plan in contract.visit_plan_ids:
                    targets = len(plan._get_visit_targets())
                    due += len(plan._due_dates(start, end)) * targets
            contract.visits_done_count = done
            contract.visits_due_count = due

    # ------------------------------------------------------------------
    # The visits in the contract document
    # ------------------------------------------------------------------

    def _get_document_placeholders(self):
        return [
            *super()._get_document_placeholders(),
            (100, "object.doc_visits", _lt("Number and frequency of visits")),
        ]

    @api.depends_context("lang")
    def _compute_doc_visits(self):
        for contract in self:
            contract.doc_visits = self._document_list(
                [
                    self.env._(
                        "%(visit)s: %(frequency)s",
                        visit=plan.name,
                        frequency=contract._visit_frequency(plan),
                    )
                    for plan in contract.visit_plan_ids
                ],
                self.env._("No preventive visit planned."),
            )

    def _visit_frequency(self, plan):
        """How often the visits of ``plan`` are due, in words."""
        if plan.frequency_type == "count":
            count = plan.count_per_year
            text = (
                self.env._("%(count)s visit per year", count=count)
                if count == 1
                else self.env._("%(count)s visits per year", count=count)
            )
        else:
            unit = self._selection_label_plan(plan)
            text = self.env._(
                "every %(count)s %(unit)s", count=plan.interval, unit=unit
            )
        if plan.per_site:
            text += " " + self.env._("per site")
        return text

    def _selection_label_plan(self, plan):
        return selection_label(plan, "interval_unit", plan.interval_unit).lower()

    @api.constrains("date_visits_from", "date_start", "date_effective_end")
    def _check_date_visits_from(self):
        """Visits start within the contract: not before its start, not after
        its end once the end is known."""
        for contract in self:
            visits_from = contract.date_visits_from
            if not visits_from:
                continue
            start, end = contract.date_start, contract.date_effective_end
            if (start and visits_from < start) or (end and visits_from > end):
                raise ValidationError(
                    self.env._(
                        "Contract %(name)s: visits cannot start on %(date)s, "
                        "outside the contract (%(start)s to %(end)s).",
                        name=contract.display_name,
                        date=visits_from,
                        start=start or "",
                        end=end or "-",
                    )
                )

    @api.model
    def _get_template_records(self):
        return {
            **super()._get_template_records(),
            "visit_plan_ids": "_prepare_contract_plan_vals",
        }

    def action_view_interventions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "service_contract.service_intervention_action"
        )
        action["domain"] = [("contract_id", "=", self.id)]
        action["context"] = {
            "default_contract_id": self.id,
            "default_kind": "corrective",
            "search_default_open": 1,
        }
        return action

    # ------------------------------------------------------------------
    # Generation of the preventive visits
    # ------------------------------------------------------------------

    def _get_visits_until(self, today):
        """Last due date to generate: the planning horizon, never beyond the
        contract's end."""
        self.ensure_one()
        horizon = today + timedelta(days=self.company_id.service_planning_horizon)
        end = self._get_service_end()
        return min(horizon, end) if end else horizon

    def _existing_visit_keys(self):
        """(plan, site, equipment, due date) of every visit already
        generated, whatever its state: a cancelled visit is not generated
        again."""
        plans = self.visit_plan_ids
        if not plans:
            return set()
        self.env["service.intervention"].flush_model(
            ["plan_id", "site_id", "plan_equipment_id", "date_due"]
        )
        self.env.cr.execute(
            SQL(
                "SELECT plan_id, COALESCE(site_id, 0), "
                "COALESCE(plan_equipment_id, 0), date_due "
                "FROM service_intervention WHERE plan_id IN %s",
                tuple(plans.ids),
            )
        )
        return set(self.env.cr.fetchall())

    def _prepare_intervention_vals(self, plan, site, due, equipment=None, covered=None):
        """Values of a generated visit; ``equipment`` is the item of a visit
        per equipment, ``covered`` the items the visit covers."""
        return {
            "plan_equipment_id": equipment.id if equipment else False,
            "equipment_ids": [Command.set(covered.ids if covered else [])],
            "contract_id": self.id,
            "company_id": self.company_id.id,
            "partner_id": self.partner_id.id,
            "site_id": site.id if site else False,
            "plan_id": plan.id,
            "kind": "preventive",
            "description": plan.name,
            "date_due": due,
            "date_window_start": due - timedelta(days=plan.days_early),
            "date_window_end": due + timedelta(days=plan.days_late),
            "duration_expected": plan.duration,
            "user_id": self.technician_id.id,
        }

    def _prepare_missing_interventions(self, today):
        """Values of the visits still to generate, by contract."""
        contracts = self.filtered(lambda c: c.state == "running" and c.visit_plan_ids)
        existing = contracts._existing_visit_keys()
        vals_by_contract = {}
        for contract in contracts:
            start = contract.date_visits_from or contract.date_start
            until = contract._get_visits_until(today)
            site_starts = contract._get_visit_site_starts()
            vals_list = []
            for plan in contract.visit_plan_ids:
                targets = plan._get_visit_targets()
                for due in plan._due_dates(start, until):
                    for site, equipment, covered in targets:
                        key = (plan.id, site.id or 0, equipment.id or 0, due)
                        if key in existing:
                            continue
                        if site and due < site_starts.get(site.id, due):
                            continue
                        vals_list.append(
                            contract._prepare_intervention_vals(
                                plan, site, due, equipment, covered
                            )
                        )
            if vals_list:
                vals_by_contract[contract] = vals_list
        return vals_by_contract

    def _get_visit_site_starts(self):
        """{site id: first due date of its visits}, for the sites whose
        visits start later than the contract's."""
        self.ensure_one()
        return {}

    def _generate_interventions(self, today=None):
        """Create the missing preventive visits of these running contracts
        up to the planning horizon; return the new interventions."""
        today = today or fields.Date.context_today(self)
        Intervention = self.env["service.intervention"].with_context(
            tracking_disable=True, mail_create_nolog=True
        )
        vals_by_contract = self._prepare_missing_interventions(today)
        # Another worker may have generated some of them meanwhile: the
        # unique index refuses its duplicates; keep each contract's own work.
        done = run_isolated(
            self.env,
            list(vals_by_contract.values()),
            lambda vals_lists: Intervention.create(
                [vals for vals_list in vals_lists for vals in vals_list]
            ),
            lambda _vals_lists, _error: None,
            isolated=psycopg2.IntegrityError,
        )
        return Intervention.union(*(created for _vals, created in done))

    def _cancel_interventions_after(self, last_day):
        """Cancel the open visits due after ``last_day``; done ones stay."""
        self.intervention_ids.filtered(
            lambda i: i.state in ("to_plan", "planned") and i.date_due > last_day
        ).write({"state": "cancel"})

    def _on_terminated(self, date):
        res = super()._on_terminated(date)
        self._cancel_interventions_after(fields.Date.to_date(date))
        return res

    def action_generate_interventions(self):
        """Generate now the visits the daily scheduled action would."""
        self._generate_interventions()
        return self.action_view_interventions() if len(self) == 1 else True

    @api.model
    def _cron_generate_interventions(self, today=None):
        """Daily: create the preventive visits due within the planning
        horizon of each company (from its own day, in its time zone), in
        batches of contracts locked with SKIP LOCKED (a second worker takes
        other contracts), committed one by one outside tests. A contract
        that fails gets an activity; the others get their visits."""
        summary = self.env._("Generation of the preventive visits failed")
        results = self._run_cron_batches(
            lambda _day: [("state", "=", "running"), ("visit_plan_ids", "!=", False)],
            lambda contracts, day: contracts._generate_interventions(day),
            summary,
            today,
            batch_size_key="service_contract.visit_batch_size",
            recheck=False,
        )
        return sum(len(interventions) for interventions in results)
