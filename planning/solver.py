"""The visit planner's solver: a Problem in, a Plan out, with Google OR-Tools.

One OR-Tools vehicle per Route (a technician-day), one node per visit and
one start and one end node per route. The arc cost is the travel time only;
visits the solver cannot fit are dropped at their penalty; a breakdown's
response deadline and a visit's due date are soft upper bounds of its start.
Visits nobody qualified can do (skills, working hours) are left out of the
model and reported with their reason.
"""

import itertools
import time as _time
from dataclasses import replace

from .problem import (
    NO_CAPACITY,
    NO_ROUTE_IN_WINDOW,
    NO_SKILL,
    Plan,
    PlannerUnavailable,
)

INSTALL_HINT = (
    "The visit planner needs Google OR-Tools: "
    "pip install -r tools/requirements-planning.txt (or pip install ortools)."
)
# Objective weights: a minute driven costs TRAVEL_WEIGHT, a minute late
# after a due date DUE_WEIGHT, a minute after a breakdown's response
# deadline DEADLINE_WEIGHT (travel first, then lateness; deadlines above
# both, below the penalty of dropping a visit).
TRAVEL_WEIGHT = 60
DUE_WEIGHT = 1
DEADLINE_WEIGHT = 10_000
# From this many routes (a month of technician-days), the search starts
# from the greedy plan: on the benchmark's month, building a first solution
# (savings) took half of 30 s and the search ended 8 % above this start.
SEEDED_MIN_ROUTES = 41


def _import_ortools():
    try:
        from ortools.constraint_solver import pywrapcp, routing_enums_pb2
    except ImportError as exc:
        raise PlannerUnavailable(INSTALL_HINT) from exc
    return pywrapcp, routing_enums_pb2


def feasible_starts(problem, visit, route):
    """The visit's windows intersected with what the route's hours allow
    (leave after the route starts, come back before it ends), as a list of
    (earliest, latest) start times; empty when the route cannot take it."""
    earliest = route.start + problem.travel[route.start_location][visit.location]
    latest = (
        route.end - visit.duration - problem.travel[visit.location][route.end_location]
    )
    starts = []
    for lo, hi in visit.windows:
        lo, hi = max(lo, earliest), min(hi, latest)
        if lo <= hi:
            starts.append((lo, hi))
    return starts


def qualified_routes(problem, visit):
    """(route indexes allowed, reason when none): skills first, then hours."""
    if visit.fixed is not None:
        route_key = visit.fixed[0]
        allowed = [
            r for r, route in enumerate(problem.routes) if route.key == route_key
        ]
        return allowed, (None if allowed else NO_ROUTE_IN_WINDOW)
    skilled = [
        r for r, route in enumerate(problem.routes) if visit.skills <= route.skills
    ]
    if not skilled:  # nobody works in the range at all: not a skill issue
        return [], (NO_SKILL if problem.routes else NO_ROUTE_IN_WINDOW)
    allowed = [r for r in skilled if feasible_starts(problem, visit, problem.routes[r])]
    return allowed, (None if allowed else NO_ROUTE_IN_WINDOW)


class WorkClock:
    """Minutes worked instead of minutes elapsed, for breaks every route
    shares (a company's lunch, 12:00-13:30 each day for everyone).

    OR-Tools' break intervals make each local-search move about 40 times
    slower (a month stayed at its first solution). A fixed break that every
    route working across it takes can instead be cut out of the time line:
    on the worked clock a visit must not straddle the break's point, and the
    driving across it simply resumes after it, which is exactly the checker's
    rule (a break fits in a gap between stops with the gap's driving).
    """

    def __init__(self, breaks):
        self.breaks = breaks  # [(start, length)], sorted, disjoint

    @classmethod
    def shared(cls, problem):
        """The clock of the problem's breaks, or None when some break is
        not fixed, not taken by every route working across it, or would
        leave a visit no start time (then they are break intervals)."""
        found = [b for route in problem.routes for b in route.breaks]
        if not found or any(lo != hi for lo, hi, _length in found):
            return None
        breaks = sorted({(lo, length) for lo, _hi, length in found})
        for (start, length), (next_start, _next) in itertools.pairwise(breaks):
            if start + length > next_start:
                return None
        for route in problem.routes:
            taken = [
                (lo, length)
                for lo, length in breaks
                if route.start < lo + length and lo < route.end
            ]
            if sorted((lo, length) for lo, _hi, length in route.breaks) != taken:
                return None
            if any(lo < route.start or lo + n > route.end for lo, n in taken):
                return None
        clock = cls(breaks)
        for visit in problem.visits:
            if visit.fixed is not None:
                start = visit.fixed[1]
                if clock.allowed([(start, start)], visit.duration) != [(start, start)]:
                    return None
            elif not clock.allowed(visit.windows, visit.duration):
                return None
        return clock

    def allowed(self, windows, duration):
        """The clock start times of the windows that keep the visit off
        every break (not even a visit of no duration at a break's start,
        whose worked minute would read back as after the break)."""
        for start, length in self.breaks:
            cut_lo, cut_hi = start - max(duration, 1) + 1, start + length - 1
            windows = [
                piece
                for lo, hi in windows
                for piece in ((lo, min(hi, cut_lo - 1)), (max(lo, cut_hi + 1), hi))
                if piece[0] <= piece[1]
            ]
        return windows

    def to_work(self, minute):
        """Worked minute of a clock minute (inside a break: its start)."""
        worked = minute
        for start, length in self.breaks:
            worked -= min(length, max(0, minute - start))
        return worked

    def to_clock(self, worked):
        """Clock minute of a visit starting at this worked minute (a worked
        break point is after the break: a visit ending there is before)."""
        shift = 0
        for start, length in self.breaks:
            if worked + shift < start:
                break
            shift += length
        return worked + shift

    def problem(self, problem):
        """The problem on the worked clock, without breaks."""
        visits = []
        for visit in problem.visits:
            work = replace(visit)
            if visit.fixed is None:
                windows = self.allowed(visit.windows, visit.duration)
                work.windows = [
                    (self.to_work(lo), self.to_work(hi)) for lo, hi in windows
                ]
            else:
                work.fixed = (visit.fixed[0], self.to_work(visit.fixed[1]))
            if visit.due is not None:
                work.due = self.to_work(visit.due)
            if visit.deadline is not None:
                work.deadline = self.to_work(visit.deadline)
            visits.append(work)
        routes = [
            replace(
                route,
                start=self.to_work(route.start),
                end=self.to_work(route.end),
                breaks=[],
            )
            for route in problem.routes
        ]
        return replace(problem, visits=visits, routes=routes)


def _add_visits(routing, manager, time_dim, visits, allowed_routes):
    for node, visit in enumerate(visits):
        index = manager.NodeToIndex(node)
        cumul = time_dim.CumulVar(index)
        if visit.fixed is not None:  # pinned, never dropped
            cumul.SetValue(visit.fixed[1])
            routing.VehicleVar(index).SetValues(allowed_routes[node])
            continue
        windows = sorted(visit.windows)
        cumul.SetRange(windows[0][0], windows[-1][1])
        for (_lo, hi), (next_lo, _hi) in zip(windows, windows[1:], strict=False):
            if hi + 1 <= next_lo - 1:
                cumul.RemoveInterval(hi + 1, next_lo - 1)
        # -1: may be dropped (an empty list would mean any route).
        routing.VehicleVar(index).SetValues([-1] + allowed_routes[node])
        routing.AddDisjunction([index], visit.penalty)
        # One soft bound per variable: the deadline wins over the due date.
        if visit.deadline is not None:
            time_dim.SetCumulVarSoftUpperBound(index, visit.deadline, DEADLINE_WEIGHT)
        elif visit.due is not None:
            time_dim.SetCumulVarSoftUpperBound(index, visit.due, DUE_WEIGHT)


def _add_routes(routing, manager, time_dim, routes, service):
    solver = routing.solver()
    # Time on site per routing index (breaks never cut a visit).
    visit_transits = [service[manager.IndexToNode(i)] for i in range(routing.Size())]
    for v, route in enumerate(routes):
        time_dim.CumulVar(routing.Start(v)).SetRange(route.start, route.end)
        time_dim.CumulVar(routing.End(v)).SetRange(route.start, route.end)
        if route.breaks:
            intervals = [
                solver.FixedDurationIntervalVar(lo, hi, length, False, f"break {v}.{b}")
                for b, (lo, hi, length) in enumerate(route.breaks)
            ]
            time_dim.SetBreakIntervalsOfVehicle(intervals, v, visit_transits)
        routing.AddVariableMaximizedByFinalizer(time_dim.CumulVar(routing.Start(v)))
        routing.AddVariableMinimizedByFinalizer(time_dim.CumulVar(routing.End(v)))


def _search_parameters(
    pywrapcp, routing_enums_pb2, time_limit, deterministic, size, holes=False
):
    params = pywrapcp.DefaultRoutingSearchParameters()
    strategies = routing_enums_pb2.FirstSolutionStrategy
    metaheuristics = routing_enums_pb2.LocalSearchMetaheuristic
    if deterministic:
        # Path cheapest arc can search for hours when visit start times have
        # holes (the worked clock's lunches); insertion does not.
        params.first_solution_strategy = (
            strategies.LOCAL_CHEAPEST_INSERTION
            if holes
            else strategies.PATH_CHEAPEST_ARC
        )
        params.local_search_metaheuristic = metaheuristics.GREEDY_DESCENT
    else:
        # Parallel insertion builds better first routes but its cost grows
        # with the number of routes: beyond SEEDED_MIN_ROUTES the search
        # starts from the greedy plan instead (see solve()), and local
        # cheapest insertion is only its fallback.
        if size < SEEDED_MIN_ROUTES:
            params.first_solution_strategy = strategies.PARALLEL_CHEAPEST_INSERTION
        else:
            params.first_solution_strategy = strategies.LOCAL_CHEAPEST_INSERTION
        params.local_search_metaheuristic = metaheuristics.GUIDED_LOCAL_SEARCH
        params.time_limit.FromMilliseconds(int(time_limit * 1000))
    return params


def _read_plan(plan, problem, visits, model, solution, clock=None):
    routing, manager, time_dim = model
    for v, route in enumerate(problem.routes):
        index = solution.Value(routing.NextVar(routing.Start(v)))
        stops = []
        while not routing.IsEnd(index):
            visit = visits[manager.IndexToNode(index)]
            start = solution.Value(time_dim.CumulVar(index))
            if clock is not None:
                start = clock.to_clock(start)
            stops.append((visit, start))
            index = solution.Value(routing.NextVar(index))
        plan.add_route(problem, route, stops)
    placed = {a.visit for a in plan.assignments}
    for visit in visits:
        if visit.key not in placed:
            plan.unplaced[visit.key] = NO_CAPACITY


def solve(problem, time_limit=30, deterministic=False):
    """Plan the problem's visits on its routes (see the module's docstring).

    deterministic=True: first solution + greedy descent, which stops at a
    local optimum whatever the time (tests); otherwise guided local search
    for time_limit seconds."""
    pywrapcp, routing_enums_pb2 = _import_ortools()
    started = _time.perf_counter()
    plan = Plan()
    # Shared fixed breaks are cut out of the time line (see WorkClock);
    # the model then works on the worked clock, the plan on the real one.
    clock = WorkClock.shared(problem)
    model = clock.problem(problem) if clock is not None else problem
    visits, allowed_routes = [], []
    for visit, model_visit in zip(problem.visits, model.visits, strict=True):
        allowed, reason = qualified_routes(problem, visit)
        if reason:
            plan.unplaced[visit.key] = reason
        else:
            visits.append(model_visit)
            allowed_routes.append(allowed)
    routes = model.routes
    if not routes:
        plan.stats = {"seconds": 0.0, "objective": 0, "status": "no route"}
        return plan

    # Nodes: the visits, then each route's start and end; matrices by node.
    locations = [v.location for v in visits]
    for route in routes:
        locations += [route.start_location, route.end_location]
    starts = [len(visits) + 2 * r for r in range(len(routes))]
    ends = [s + 1 for s in starts]
    service = [v.duration for v in visits] + [0] * (2 * len(routes))
    cost_rows = problem.cost if problem.cost is not None else problem.travel
    cost = [[cost_rows[a][b] * TRAVEL_WEIGHT for b in locations] for a in locations]
    transit = [
        [duration + problem.travel[a][b] for b in locations]
        for a, duration in zip(locations, service, strict=True)
    ]
    manager = pywrapcp.RoutingIndexManager(len(locations), len(routes), starts, ends)
    routing = pywrapcp.RoutingModel(manager)
    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitMatrix(cost))
    horizon = max(
        max(r.end for r in routes),
        max((hi + v.duration for v in visits for _lo, hi in v.windows), default=0),
        max((v.fixed[1] + v.duration for v in visits if v.fixed), default=0),
    )
    transit_index = routing.RegisterTransitMatrix(transit)
    routing.AddDimension(transit_index, horizon, horizon, False, "Time")
    time_dim = routing.GetDimensionOrDie("Time")
    _add_visits(routing, manager, time_dim, visits, allowed_routes)
    _add_routes(routing, manager, time_dim, routes, service)
    if any(v.demand for v in visits):
        demand = [v.demand for v in visits] + [0] * (2 * len(routes))
        capacities = [sum(demand) if r.capacity is None else r.capacity for r in routes]
        routing.AddDimensionWithVehicleCapacity(
            routing.RegisterUnaryTransitVector(demand), 0, capacities, True, "Load"
        )

    params = _search_parameters(
        pywrapcp,
        routing_enums_pb2,
        time_limit,
        deterministic,
        len(routes),
        holes=clock is not None,
    )
    # A month of technician-days: the search starts from the greedy plan.
    from .greedy import plan_greedy

    baseline = plan_greedy(problem)
    initial = None
    if not deterministic and len(routes) >= SEEDED_MIN_ROUTES:
        routing.CloseModelWithParameters(params)
        node = {visit.key: manager.NodeToIndex(n) for n, visit in enumerate(visits)}
        initial = routing.ReadAssignmentFromRoutes(
            [
                [
                    node[a.visit]
                    for a in baseline.routes.get(r.key, [])
                    if a.visit in node
                ]
                for r in routes
            ],
            True,
        )
    if initial is not None:
        solution = routing.SolveFromAssignmentWithParameters(initial, params)
    else:
        solution = routing.SolveWithParameters(params)
    if solution is not None:
        originals = {v.key: v for v in problem.visits}
        visits = [originals[v.key] for v in visits]
        model = (routing, manager, time_dim)
        _read_plan(plan, problem, visits, model, solution, clock)
        # On the real clock (lateness differs on the worked one).
        plan.stats = {
            "objective": plan_cost(problem, plan),
            "status": "solved",
            "start": "greedy" if initial is not None else "first solution",
        }
    else:
        # Fixed visits contradicting each other or a break.
        plan.unplaced.update((visit.key, NO_CAPACITY) for visit in visits)
        plan.stats = {"objective": None, "status": "no solution"}
    # The search may stop before its first solution (a short time limit on a
    # month of technician-days): never return worse than the greedy baseline.
    cost = plan_cost(problem, baseline)
    if plan.stats["objective"] is None or cost < plan.stats["objective"]:
        baseline.stats = {"objective": cost, "status": "greedy"}
        plan = baseline
    plan.stats["seconds"] = round(_time.perf_counter() - started, 3)
    return plan


def plan_cost(problem, plan):
    """The plan's cost in the solver's objective terms."""
    visits = {v.key: v for v in problem.visits}
    routes = {r.key: r for r in problem.routes}
    arcs = problem.cost if problem.cost is not None else problem.travel
    total = sum(
        visits[key].penalty
        for key, reason in plan.unplaced.items()
        if reason == NO_CAPACITY
    )
    for route_key, stops in plan.routes.items():
        route = routes[route_key]
        path = [route.start_location]
        path += [visits[a.visit].location for a in stops] + [route.end_location]
        total += TRAVEL_WEIGHT * sum(arcs[a][b] for a, b in itertools.pairwise(path))
        for stop in stops:
            visit = visits[stop.visit]
            if visit.deadline is not None:
                total += DEADLINE_WEIGHT * max(0, stop.start - visit.deadline)
            elif visit.due is not None:
                total += DUE_WEIGHT * max(0, stop.start - visit.due)
    return total
