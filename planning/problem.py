"""The planning problem and its answer, shared by the solver, the checker,
the greedy baseline, the benchmark and the Odoo wizard.

Every time is an integer number of minutes from the problem's origin (the
first day of the range at 00:00 in the company's time zone; the wizard
converts to and from UTC). Every travel time is in integer minutes too.
"""

from dataclasses import dataclass, field

# Why a visit was not placed (Plan.unplaced values); the wizard translates them.
NO_SKILL = "no_skill"  # no technician of the range has the required skills
NO_ROUTE_IN_WINDOW = "no_route_in_window"  # nobody qualified works in its window
NO_CAPACITY = "no_capacity"  # the solver could not fit it
# A breakdown placed after its response deadline (Plan.warnings values).
LATE_RESPONSE = "late_response"


class PlannerUnavailable(Exception):
    """OR-Tools is not installed: the message says how to install it."""


@dataclass
class Visit:
    key: object  # the visit's id on the Odoo side
    location: int  # index in Problem.travel
    duration: int  # minutes on site
    # Allowed start times, [(earliest start, latest start), ...], sorted,
    # disjoint: the visit's date window intersected with the site's
    # opening hours (the whole visit must fit in one opening interval).
    windows: list
    skills: frozenset = frozenset()
    penalty: int = 1_000_000  # cost of leaving it unplaced
    due: int | None = None  # soft: lateness counted after this start time
    deadline: int | None = None  # breakdown: start before this, strongly
    fixed: tuple | None = None  # (route key, start): already appointed
    demand: int = 0  # load, only for the benchmark's capacitated instances


@dataclass
class Route:
    key: object  # (user id, date) on the Odoo side
    technician: object  # the user id
    start_location: int  # index in Problem.travel (home or agency)
    end_location: int
    start: int  # earliest departure
    end: int  # latest return
    # Times the technician is not available within [start, end] (lunch,
    # a partial leave): [(earliest start, latest start, duration), ...].
    breaks: list = field(default_factory=list)
    skills: frozenset = frozenset()  # valid on that day (expiry checked)
    capacity: int | None = None


@dataclass
class Problem:
    travel: list  # travel[a][b]: minutes from location a to location b
    visits: list
    routes: list
    labels: list = field(default_factory=list)  # optional, per location
    # Optional arc costs, same shape as travel (the benchmark's rounded
    # distances); by default the solver minimises the travel times.
    cost: list | None = None


@dataclass
class Assignment:
    visit: object  # Visit.key
    route: object  # Route.key
    start: int
    end: int  # start + duration
    travel_before: int  # minutes from the previous stop (or the route start)


@dataclass
class Plan:
    # Per route key, the visits in visiting order.
    routes: dict = field(default_factory=dict)  # {route key: [Assignment, ...]}
    unplaced: dict = field(default_factory=dict)  # {visit key: reason}
    warnings: dict = field(default_factory=dict)  # {visit key: reason}
    travel: int = 0  # total minutes driven, returns included
    lateness: int = 0  # total minutes after the visits' due starts
    stats: dict = field(default_factory=dict)

    def add_route(self, problem, route, stops):
        """Record a route's stops, [(Visit, start), ...] in visiting order:
        their assignments, the travel (the return included), the lateness
        and the breakdowns started after their deadline."""
        previous, assignments = route.start_location, []
        for visit, start in stops:
            before = problem.travel[previous][visit.location]
            end = start + visit.duration
            assignments.append(Assignment(visit.key, route.key, start, end, before))
            self.travel += before
            if visit.deadline is not None and start > visit.deadline:
                self.warnings[visit.key] = LATE_RESPONSE
            if visit.due is not None and start > visit.due:
                self.lateness += start - visit.due
            previous = visit.location
        if assignments:
            self.travel += problem.travel[previous][route.end_location]
            self.routes[route.key] = assignments

    @property
    def assignments(self):
        return [a for stops in self.routes.values() for a in stops]
