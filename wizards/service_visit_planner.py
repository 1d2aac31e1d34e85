from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..planning.problem import (
    NO_CAPACITY,
    NO_ROUTE_IN_WINDOW,
    NO_SKILL,
    PlannerUnavailable,
    Problem,
    Route,
    Visit,
)

NO_COORDINATES = "no_coordinates"
UNPLACED_REASONS = [
    (NO_SKILL, "No qualified technician"),
    (NO_ROUTE_IN_WINDOW, "Nobody qualified works in its window"),
    (NO_CAPACITY, "No capacity in its window"),
    (NO_COORDINATES, "No coordinates"),
]
# Cost of leaving a visit unplaced (see planning/problem.py): a breakdown,
# a visit whose window ends in the range, a visit that may wait.
PENALTY_BREAKDOWN = 10_000_000
PENALTY_DUE = 1_000_000
PENALTY_LATER = 10_000
MAX_RANGE_DAYS = 62


class ServiceVisitPlanner(models.Model):
    """A planning proposal: the visits of a date range placed on technicians'
    days by the solver (planning/solver.py), adjusted by hand, then
    confirmed. A regular model: a proposal lives as long as the planner
    works on it."""

    _name = "service.visit.planner"
    _description = "Visit Planner"
    _order = "date_from desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name")
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    date_from = fields.Date(
        string="From",
        required=True,
        default=lambda self: self._default_date_from(),
    )
    date_to = fields.Date(
        string="To",
        required=True,
        default=lambda self: self._default_date_from() + timedelta(days=6),
    )
    user_ids = fields.Many2many(
        "res.users",
        string="Technicians",
        required=True,
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
    )
    keep_planned = fields.Boolean(
        string="Keep Planned Visits",
        default=True,
        help="Planned visits stay where they are (unless their technician no "
        "longer works then); unticked, they are planned again too.",
    )
    state = fields.Selection(
        [("draft", "Draft"), ("proposed", "Proposed"), ("confirmed", "Confirmed")],
        default="draft",
        required=True,
        readonly=True,
    )
    date_proposed = fields.Datetime(readonly=True)
    line_ids = fields.One2many(
        "service.visit.planner.line", "planner_id", string="Proposal"
    )
    unplaced_ids = fields.One2many(
        "service.visit.planner.unplaced", "planner_id", string="Not Placed"
    )
    travel_minutes = fields.Integer(
        string="Travel (min)", compute="_compute_travel_minutes"
    )

    @api.model
    def _default_date_from(self):
        """The company's tomorrow: a week from then by default."""
        return self.env.company._service_today() + timedelta(days=1)

    @api.depends("date_from", "date_to")
    def _compute_name(self):
        for planner in self:
            planner.name = self.env._(
                "Plan %(start)s - %(end)s",
                start=planner.date_from or "",
                end=planner.date_to or "",
            )

    @api.depends("line_ids.travel_minutes")
    def _compute_travel_minutes(self):
        for planner in self:
            planner.travel_minutes = sum(planner.line_ids.mapped("travel_minutes"))

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for planner in self:
            if planner.date_to < planner.date_from:
                raise ValidationError(
                    self.env._("The planning range ends before it starts.")
                )
            if (planner.date_to - planner.date_from).days >= MAX_RANGE_DAYS:
                raise ValidationError(
                    self.env._(
                        "Plan at most %(days)s days at once.", days=MAX_RANGE_DAYS
                    )
                )

    # ------------------------------------------------------------------
    # Times: minutes from date_from 00:00 in the company's time zone
    # ------------------------------------------------------------------

    def _tz(self):
        return pytz.timezone(self.company_id._service_tz())

    def _time_origin(self):
        return self._tz().localize(datetime.combine(self.date_from, time.min))

    def _local_day_start(self, day):
        return self._tz().localize(datetime.combine(day, time.min))

    def _to_minutes(self, instant):
        """Minutes from the origin of an aware datetime or a naive UTC one."""
        if instant.tzinfo is None:
            instant = pytz.utc.localize(instant)
        return round((instant - self._time_origin()).total_seconds() / 60)

    def _to_utc(self, minutes):
        """The naive UTC datetime (as stored) of minutes from the origin."""
        instant = self._time_origin() + timedelta(minutes=minutes)
        return instant.astimezone(pytz.utc).replace(tzinfo=None)

    def _days(self, first=None, last=None):
        day = max(first or self.date_from, self.date_from)
        last = min(last or self.date_to, self.date_to)
        while day <= last:
            yield day
            day += timedelta(days=1)

    # ------------------------------------------------------------------
    # The problem, from the database
    # ------------------------------------------------------------------

    def _company_point(self):
        partner = self.company_id.partner_id.sudo()
        return (partner.partner_latitude, partner.partner_longitude)

    def _start_point(self, user):
        home = user.sudo().service_home_address_id
        if user.sudo().service_start_point == "home" and (
            home.partner_latitude or home.partner_longitude
        ):
            return (home.partner_latitude, home.partner_longitude)
        return self._company_point()

    def _travel_matrix(self, points):
        return self.company_id._get_service_travel_matrix(points)

    def _work_intervals(self, user):
        """{day: [(start, end), ...]} in minutes: the user's working time
        (their calendar, else the company's, minus their leaves and the
        global ones), day by day."""
        user = user.sudo()
        resource = user.resource_ids.filtered(
            lambda r: r.company_id in (self.company_id, r.company_id.browse())
        )[:1]
        calendar = (
            resource.calendar_id
            or user.resource_calendar_id
            or self.company_id.resource_calendar_id
        )
        if not calendar:
            return {}
        start = self._time_origin()
        end = self._local_day_start(self.date_to + timedelta(days=1))
        intervals = calendar._work_intervals_batch(start, end, resources=resource)[
            resource.id
        ]
        days = {}
        for begin, stop, _record in intervals:
            day = begin.astimezone(self._tz()).date()
            days.setdefault(day, []).append(
                (self._to_minutes(begin), self._to_minutes(stop))
            )
        return {day: sorted(spans) for day, spans in days.items()}

    def _opening_intervals(self, site):
        """Minutes [(start, end), ...] the site is open in the range; None:
        always open."""
        calendar = site.sudo().service_opening_calendar_id
        if not calendar:
            return None
        start = self._time_origin()
        end = self._local_day_start(self.date_to + timedelta(days=1))
        intervals = calendar._work_intervals_batch(start, end)[False]
        return [(self._to_minutes(b), self._to_minutes(e)) for b, e, _r in intervals]

    def _visit_windows(self, visit, duration, opening):
        """Allowed start minutes [(earliest, latest), ...] of ``visit``: its
        window's days in the range, within its site's opening hours."""
        first, last = visit._planning_window()
        days = list(self._days(first, last))
        if not days:
            return []
        site = visit.site_id or visit.partner_id
        if site not in opening:
            opening[site] = self._opening_intervals(site)
        open_spans = opening[site]
        if open_spans is not None:
            first_minute = self._to_minutes(self._local_day_start(days[0]))
            last_minute = self._to_minutes(
                self._local_day_start(days[-1] + timedelta(days=1))
            )
            open_spans = [
                (max(begin, first_minute), min(end, last_minute))
                for begin, end in open_spans
                if begin < last_minute and end > first_minute
            ]
        else:
            open_spans = [
                (
                    self._to_minutes(self._local_day_start(day)),
                    self._to_minutes(self._local_day_start(day + timedelta(days=1))),
                )
                for day in days
            ]
        windows = []
        for begin, end in sorted(open_spans):
            if end - begin < duration:
                continue
            if windows and begin <= windows[-1][1]:
                windows[-1] = (windows[-1][0], max(windows[-1][1], end - duration))
            else:
                windows.append((begin, end - duration))
        return windows

    def _unqualified_reason(self, visit, routes):
        """Why no route can take the visit, decided before solving: nobody
        working in its window holds its skills on that day (NO_SKILL), or
        nobody works in its window (NO_ROUTE_IN_WINDOW); None otherwise."""
        first, last = visit._planning_window()
        days = {fields.Date.to_string(day) for day in self._days(first, last)}
        in_window = [route for route in routes if route.key[1] in days]
        skills = frozenset(visit.skill_ids.ids)
        if any(skills <= route.skills for route in in_window):
            return None
        return NO_SKILL if in_window else NO_ROUTE_IN_WINDOW

    def _planned_visits(self):
        """Planned visits of the technicians in the range."""
        start = self._to_utc(0)
        end = self._to_utc(self._to_minutes(self._local_day_start(self.date_to)) + 1440)
        return self.env["service.intervention"].search(
            [
                ("company_id", "=", self.company_id.id),
                ("state", "=", "planned"),
                ("user_id", "in", self.user_ids.ids),
                ("date_planned_start", ">=", start),
                ("date_planned_start", "<", end),
            ]
        )

    def _visits_to_plan(self):
        return self.env["service.intervention"].search(
            [
                ("company_id", "=", self.company_id.id),
                *self.env["service.intervention"]._planning_domain(
                    self.date_from, self.date_to
                ),
            ]
        )

    def _build_problem(self):
        """The Problem of this range, and the visits left out before solving
        ({visit id: reason})."""
        self.ensure_one()
        points, index = [], {}

        def location(point):
            key = (round(point[0], 5), round(point[1], 5))
            if key not in index:
                index[key] = len(points)
                points.append(point)
            return index[key]

        routes = []
        for user in self.user_ids:
            start_location = location(self._start_point(user))
            for day, spans in sorted(self._work_intervals(user).items()):
                if not self.date_from <= day <= self.date_to:
                    continue
                routes.append(
                    Route(
                        key=(user.id, fields.Date.to_string(day)),
                        technician=user.id,
                        start_location=start_location,
                        end_location=start_location,
                        start=spans[0][0],
                        end=spans[-1][1],
                        breaks=[
                            (prev_end, prev_end, begin - prev_end)
                            for (_b, prev_end), (begin, _e) in zip(
                                spans, spans[1:], strict=False
                            )
                            if begin > prev_end
                        ],
                        skills=frozenset(user._service_skills_on(day).ids),
                    )
                )
        visits, left_out, opening = [], {}, {}
        planned = self._planned_visits()
        to_place = self._visits_to_plan() | planned
        to_place._planning_geocode()
        for visit in to_place:
            point = visit._planning_location()
            if point is None:
                left_out[visit.id] = NO_COORDINATES
                continue
            duration = max(1, round((visit.duration_expected or 1.0) * 60))
            fixed = None
            if visit in planned and visit._planning_is_fixed(self.keep_planned):
                start = self._to_minutes(visit.date_planned_start)
                route_key = (
                    visit.user_id.id,
                    fields.Date.to_string(
                        pytz.utc.localize(visit.date_planned_start)
                        .astimezone(self._tz())
                        .date()
                    ),
                )
                if any(r.key == route_key and r.start <= start < r.end for r in routes):
                    fixed = (route_key, start)
            if fixed:
                windows = [(fixed[1], fixed[1])]
            else:
                reason = self._unqualified_reason(visit, routes)
                if reason:
                    left_out[visit.id] = reason
                    continue
                windows = self._visit_windows(visit, duration, opening)
                if not windows:
                    left_out[visit.id] = NO_ROUTE_IN_WINDOW
                    continue
            deadline = visit.date_response_deadline
            window_end = visit._planning_window()[1]
            visits.append(
                Visit(
                    key=visit.id,
                    location=location(point),
                    duration=duration,
                    windows=windows,
                    skills=frozenset(visit.skill_ids.ids),
                    penalty=(
                        PENALTY_BREAKDOWN
                        if deadline
                        else PENALTY_DUE
                        if window_end <= self.date_to
                        else PENALTY_LATER
                    ),
                    due=self._to_minutes(
                        self._local_day_start(visit.date_due + timedelta(days=1))
                    )
                    - duration,
                    deadline=self._to_minutes(deadline) if deadline else None,
                    fixed=fixed,
                )
            )
        problem = Problem(
            travel=self._travel_matrix(points), visits=visits, routes=routes
        )
        self._keep_unreachable_appointments(problem)
        return problem, left_out

    def _keep_unreachable_appointments(self, problem):
        """A fixed appointment the technician cannot reach within their day
        (by the travel times) or that falls on a break stays where it is,
        as time the technician is busy (a break), instead of making the
        whole problem infeasible."""
        routes = {route.key: route for route in problem.routes}
        kept = []
        for visit in problem.visits:
            if visit.fixed is None:
                kept.append(visit)
                continue
            route, start = routes[visit.fixed[0]], visit.fixed[1]
            end = start + visit.duration
            travel = problem.travel
            reachable = (
                route.start + travel[route.start_location][visit.location] <= start
                and end + travel[visit.location][route.end_location] <= route.end
                and not any(
                    lo < end and start < lo + length for lo, _hi, length in route.breaks
                )
            )
            if reachable:
                kept.append(visit)
            else:
                route.breaks = self._merge_breaks(
                    route, [*route.breaks, (start, start, visit.duration)]
                )
        problem.visits = kept

    @api.model
    def _merge_breaks(self, route, breaks):
        """Fixed breaks [(start, start, duration)] made disjoint and kept
        within the route's day."""
        merged = []
        for lo, _hi, length in sorted(breaks):
            lo, end = max(lo, route.start), min(lo + length, route.end)
            if end <= lo:
                continue
            if merged and lo <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([lo, end])
        return [(lo, lo, end - lo) for lo, end in merged]

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def _time_limit(self):
        return self.company_id.service_planning_time_limit

    def _solve(self, problem):
        from ..planning import solver  # noqa: PLC0415 (optional: ortools)

        return solver.solve(
            problem,
            time_limit=self._time_limit(),
            deterministic=bool(self.env.context.get("service_planner_deterministic")),
        )

    def action_plan(self):
        """Fill the proposal (the previous one is replaced)."""
        for planner in self:
            if planner.state == "confirmed":
                raise UserError(self.env._("This planning is already confirmed."))
            problem, left_out = planner._build_problem()
            try:
                plan = planner._solve(problem)
            except PlannerUnavailable as error:
                raise UserError(
                    self.env._(
                        "The visit planner needs Google OR-Tools on the server: "
                        "%(details)s",
                        details=str(error) or "pip install ortools",
                    )
                ) from error
            fixed = {v.key for v in problem.visits if v.fixed}
            lines = []
            for (user_id, _day), stops in plan.routes.items():
                for sequence, stop in enumerate(stops, 1):
                    lines.append(
                        {
                            "intervention_id": stop.visit,
                            "user_id": user_id,
                            "date_start": planner._to_utc(stop.start),
                            "date_stop": planner._to_utc(stop.end),
                            "sequence": sequence,
                            "travel_minutes": stop.travel_before,
                            "fixed": stop.visit in fixed,
                            "warning": plan.warnings.get(stop.visit),
                        }
                    )
            # Appointments kept out of the model (see
            # _keep_unreachable_appointments) are shown where they are.
            shown = {line["intervention_id"] for line in lines}
            for visit in planner._planned_visits():
                if visit.id not in shown and visit.id not in left_out:
                    if visit.id in plan.unplaced or not visit._planning_is_fixed(
                        planner.keep_planned
                    ):
                        continue
                    lines.append(
                        {
                            "intervention_id": visit.id,
                            "user_id": visit.user_id.id,
                            "date_start": visit.date_planned_start,
                            "date_stop": visit.date_planned_end
                            or visit.date_planned_start,
                            "sequence": 0,
                            "travel_minutes": 0,
                            "fixed": True,
                        }
                    )
            unplaced = {**left_out, **plan.unplaced}
            planner.line_ids.unlink()
            planner.unplaced_ids.unlink()
            planner.write(
                {
                    "state": "proposed",
                    "date_proposed": self.env.cr.now(),
                    "line_ids": [fields.Command.create(vals) for vals in lines],
                    "unplaced_ids": [
                        fields.Command.create(
                            {"intervention_id": visit_id, "reason": reason}
                        )
                        for visit_id, reason in unplaced.items()
                    ],
                }
            )
        return True

    def action_confirm(self):
        """Write the proposal on the visits and plan them."""
        for planner in self:
            if planner.state != "proposed":
                raise UserError(self.env._("Plan the visits before confirming."))
            lines = planner.line_ids.filtered(lambda line: not line.fixed)
            changed = lines.intervention_id.filtered(
                lambda v, since=planner.date_proposed: v.state
                not in ("to_plan", "planned")
                or v.dunning_held
                or v.contract_id.state != "running"
                or v.contract_id.dunning_suspended
                or (v.write_date and v.write_date > since)
            )
            if changed:
                raise UserError(
                    self.env._(
                        "These visits changed since the proposal; plan again: "
                        "%(names)s",
                        names=", ".join(changed.mapped("name")),
                    )
                )
            strangers = lines.user_id.filtered(
                lambda u, planner=planner: u not in planner.user_ids
                or not u.has_group("service_contract.group_service_contract_technician")
            )
            if strangers:
                raise UserError(
                    self.env._(
                        "Only the planning's technicians can be given visits: "
                        "%(names)s",
                        names=", ".join(strangers.mapped("name")),
                    )
                )
            unqualified = [
                line
                for line in lines
                if line.intervention_id.skill_ids
                - line.user_id._service_skills_on(line.day)
            ]
            if unqualified:
                raise UserError(
                    self.env._(
                        "These technicians lack a skill their visits require "
                        "that day: %(names)s",
                        names=", ".join(
                            f"{line.intervention_id.name} ({line.user_id.name})"
                            for line in unqualified
                        ),
                    )
                )
            moved = self.env["service.intervention"]
            for line in lines:
                visit = line.intervention_id
                if (
                    visit.state == "planned"
                    and visit.user_id == line.user_id
                    and visit.date_planned_start == line.date_start
                    and visit.date_planned_end == line.date_stop
                ):
                    continue
                visit.write(
                    {
                        "user_id": line.user_id.id,
                        "date_planned_start": line.date_start,
                        "date_planned_end": line.date_stop,
                    }
                )
                moved |= visit
            moved.action_plan()
            if moved:
                moved._on_planned_by_planner()
            planner.state = "confirmed"
        return True

    def action_replan(self):
        """Plan again from tomorrow (the company's day): only what is
        affected moves (planned visits stay, unless their technician no
        longer works then or Keep Planned Visits is unticked)."""
        for planner in self:
            tomorrow = planner.company_id._service_today() + timedelta(days=1)
            if tomorrow > planner.date_to:
                raise UserError(self.env._("This planning range is over."))
            planner.write(
                {"state": "draft", "date_from": max(planner.date_from, tomorrow)}
            )
        return self.action_plan()

    def action_reset(self):
        self.line_ids.unlink()
        self.unplaced_ids.unlink()
        self.state = "draft"
        return True

    def action_view_calendar(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "service_contract.service_visit_planner_line_action"
        )
        action["domain"] = [("planner_id", "=", self.id)]
        action["context"] = {"initial_date": fields.Date.to_string(self.date_from)}
        return action


class ServiceVisitPlannerItem(models.AbstractModel):
    """A visit of a planning: placed (a line) or not (unplaced)."""

    _name = "service.visit.planner.item"
    _description = "Visit of a Planning"
    _check_company_auto = True

    planner_id = fields.Many2one(
        "service.visit.planner", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="planner_id.company_id", store=True)
    intervention_id = fields.Many2one(
        "service.intervention",
        string="Visit",
        required=True,
        ondelete="cascade",
        check_company=True,
    )


class ServiceVisitPlannerLine(models.Model):
    _name = "service.visit.planner.line"
    _inherit = "service.visit.planner.item"
    _description = "Visit Planner Proposal"
    _order = "user_id, date_start, sequence, id"

    user_id = fields.Many2one(
        "res.users", string="Technician", required=True, check_company=True
    )
    date_start = fields.Datetime(string="Start", required=True)
    date_stop = fields.Datetime(string="End", required=True)
    day = fields.Date(compute="_compute_day", store=True)
    sequence = fields.Integer(default=10)
    travel_minutes = fields.Integer(string="Travel (min)")
    fixed = fields.Boolean(
        readonly=True, help="Already planned: kept where it is on confirmation."
    )
    warning = fields.Selection(
        [("late_response", "After the response deadline")], readonly=True
    )
    site_id = fields.Many2one(related="intervention_id.site_id")
    partner_id = fields.Many2one(related="intervention_id.partner_id")
    map_url = fields.Char(string="Map", related="intervention_id.map_url")

    @api.depends("date_start", "planner_id.company_id")
    def _compute_day(self):
        for line in self:
            if not line.date_start:
                line.day = False
                continue
            tz = pytz.timezone(line.planner_id.company_id._service_tz())
            line.day = pytz.utc.localize(line.date_start).astimezone(tz).date()

    @api.constrains("date_start", "date_stop")
    def _check_dates(self):
        for line in self:
            if line.date_stop < line.date_start:
                raise ValidationError(
                    self.env._(
                        "%(name)s: the proposed end is before its start.",
                        name=line.intervention_id.name,
                    )
                )


class ServiceVisitPlannerUnplaced(models.Model):
    _name = "service.visit.planner.unplaced"
    _inherit = "service.visit.planner.item"
    _description = "Visit Not Placed by the Planner"
    _order = "reason, id"

    reason = fields.Selection(UNPLACED_REASONS, required=True)
    date_window_start = fields.Date(related="intervention_id.date_window_start")
    date_window_end = fields.Date(related="intervention_id.date_window_end")
    skill_ids = fields.Many2many(related="intervention_id.skill_ids")
