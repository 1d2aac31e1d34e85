"""The baseline the solver must beat (issue 25): a dispatcher's greedy plan.

Visits are taken by earliest window end; each goes to the qualified route
and the position in it where it adds the least travel, every stop at its
earliest possible start, keeping windows, route hours, breaks, fixed visits
and capacity. Never moves a visit once placed. No dependency.
"""

import time as _time

from .problem import NO_CAPACITY, Plan
from .solver import qualified_routes


def _earliest_start(windows, at):
    for lo, hi in windows:
        if at <= hi:
            return max(lo, at)
    return None


def _schedule(problem, route, stops):
    """Earliest starts of the stops (visits) in this order on the route, or
    None when they do not fit. A break is taken in the gap before a visit
    when it could not start after it; driving goes around the break."""
    travel = problem.travel
    breaks = sorted(route.breaks)
    cursor, location, starts = route.start, route.start_location, []
    for visit in stops:
        drive = travel[location][visit.location]
        windows = [(visit.fixed[1],) * 2] if visit.fixed else visit.windows
        start = _earliest_start(windows, cursor + drive)
        paused, resume = 0, cursor
        while start is not None and breaks and breaks[0][1] < start + visit.duration:
            lo, hi, length = breaks.pop(0)
            begin = max(lo, resume)
            if begin > hi:
                return None
            paused, resume = paused + length, begin + length
            start = _earliest_start(windows, max(cursor + drive + paused, resume))
        if start is None:
            return None
        starts.append(start)
        cursor, location = start + visit.duration, visit.location
    back = travel[location][route.end_location] if stops else 0
    paused, resume = 0, cursor
    for lo, hi, length in breaks:
        begin = max(lo, resume)
        if begin > hi:
            return None
        paused, resume = paused + length, begin + length
    if max(cursor + back + paused, resume) > route.end:
        return None
    return starts


def _fits(problem, route, stops):
    if route.capacity is not None and sum(v.demand for v in stops) > route.capacity:
        return None
    return _schedule(problem, route, stops)


def _added_travel(travel, route, stops, position, visit):
    before = stops[position - 1].location if position else route.start_location
    after = stops[position].location if position < len(stops) else route.end_location
    if not stops:  # an empty route costs nothing until it takes a visit
        return travel[before][visit.location] + travel[visit.location][after]
    return (
        travel[before][visit.location]
        + travel[visit.location][after]
        - travel[before][after]
    )


def plan_greedy(problem):
    """The greedy Plan of the problem (same reasons as the solver's)."""
    started = _time.perf_counter()
    plan = Plan()
    routes = problem.routes
    sequences = [[] for _route in routes]
    candidates = []
    for visit in problem.visits:
        allowed, reason = qualified_routes(problem, visit)
        if reason:
            plan.unplaced[visit.key] = reason
        else:
            candidates.append((visit, allowed))
    # Fixed visits first, at their place; then by earliest window end.
    candidates.sort(
        key=lambda c: (c[0].fixed is None, max(hi for _lo, hi in c[0].windows))
    )
    for visit, allowed in candidates:
        best = None
        for r in allowed:
            stops = sequences[r]
            for position in range(len(stops) + 1):
                trial = stops[:position] + [visit] + stops[position:]
                if _fits(problem, routes[r], trial) is None:
                    continue
                added = _added_travel(problem.travel, routes[r], stops, position, visit)
                if best is None or added < best[0]:
                    best = (added, r, trial)
        if best is None:
            plan.unplaced[visit.key] = NO_CAPACITY
        else:
            sequences[best[1]] = best[2]

    for route, stops in zip(routes, sequences, strict=True):
        if not stops:
            continue
        starts = _fits(problem, route, stops)
        plan.add_route(problem, route, zip(stops, starts, strict=True))
    plan.stats = {"seconds": round(_time.perf_counter() - started, 3)}
    return plan
