"""An independent check of a Plan against its Problem (never calls the solver).

check(problem, plan) returns the list of violations, empty when the plan
keeps every rule: each visit placed at most once, on a route whose
technician has its skills, starting inside one of its windows (or at its
fixed time on its fixed route), inside the route's hours, without overlap
with another visit or a break, leaving enough time to drive between the
stops and back, within the route's capacity.
"""


def _fmt(minutes):
    day, rest = divmod(minutes, 1440)
    return f"d{day} {rest // 60:02d}:{rest % 60:02d}"


def _check_breaks(route, gaps):
    """Each break must fit in one gap between stops (route start, visits,
    return): inside its allowed start range, the gap keeping room for the
    travel it must contain."""
    errors = []
    gaps = [[lo, hi, travel, lo, 0] for lo, hi, travel in gaps]  # + cursor, used
    for lo, hi, duration in sorted(route.breaks):
        for gap in gaps:
            g_lo, g_hi, travel, cursor, used = gap
            start = max(lo, cursor)
            if (
                start <= hi
                and start + duration <= g_hi
                and used + duration + travel <= g_hi - g_lo
            ):
                gap[3], gap[4] = start + duration, used + duration
                break
        else:
            errors.append(
                f"route {route.key}: no room for its break of {duration} min "
                f"starting between {_fmt(lo)} and {_fmt(hi)}"
            )
    return errors


def _check_route(problem, route, stops, visits):
    errors = []
    previous_location, previous_end = route.start_location, route.start
    gaps, load = [], 0
    for stop in stops:
        visit = visits[stop.visit]
        where = f"visit {stop.visit} on route {route.key}"
        load += visit.demand
        if not visit.skills <= route.skills:
            missing = ", ".join(sorted(map(str, visit.skills - route.skills)))
            errors.append(f"{where}: technician lacks skills {missing}")
        if stop.end != stop.start + visit.duration:
            errors.append(
                f"{where}: lasts {stop.end - stop.start} min, not {visit.duration}"
            )
        if visit.fixed is not None:
            if (route.key, stop.start) != tuple(visit.fixed):
                errors.append(f"{where} at {_fmt(stop.start)}: fixed at {visit.fixed}")
        elif not any(lo <= stop.start <= hi for lo, hi in visit.windows):
            errors.append(f"{where}: starts at {_fmt(stop.start)}, outside windows")
        if stop.start < route.start or stop.end > route.end:
            errors.append(
                f"{where}: {_fmt(stop.start)}-{_fmt(stop.end)} outside route hours"
            )
        needed = problem.travel[previous_location][visit.location]
        if stop.start < previous_end:
            errors.append(
                f"{where}: starts at {_fmt(stop.start)}, overlapping the previous stop"
            )
        elif stop.travel_before < needed or stop.start - previous_end < needed:
            errors.append(
                f"{where}: {stop.start - previous_end} min after the previous stop "
                f"(travel_before {stop.travel_before}), {needed} min needed to drive"
            )
        for lo, hi, duration in route.breaks:
            if lo == hi and lo < stop.end and stop.start < lo + duration:
                errors.append(f"{where}: overlaps the break at {_fmt(lo)}")
        gaps.append((previous_end, stop.start, needed))
        previous_location, previous_end = visit.location, stop.end
    back = problem.travel[previous_location][route.end_location] if stops else 0
    if previous_end + back > route.end:
        errors.append(
            f"route {route.key}: back at {_fmt(previous_end + back)}, "
            f"after its end {_fmt(route.end)}"
        )
    gaps.append((previous_end, route.end, back))
    errors += _check_breaks(route, gaps)
    if route.capacity is not None and load > route.capacity:
        errors.append(
            f"route {route.key}: load {load} over its capacity {route.capacity}"
        )
    return errors, back


def check(problem, plan):
    """The list of the plan's violations (empty: the plan is valid)."""
    visits = {v.key: v for v in problem.visits}
    routes = {r.key: r for r in problem.routes}
    errors, seen, travel = [], set(), 0
    for route_key, stops in plan.routes.items():
        route = routes.get(route_key)
        if route is None:
            errors.append(f"route {route_key}: not in the problem")
            continue
        for stop in stops:
            if stop.visit not in visits:
                errors.append(f"visit {stop.visit}: not in the problem")
            elif stop.visit in seen:
                errors.append(f"visit {stop.visit}: placed more than once")
            elif stop.route != route_key:
                errors.append(
                    f"visit {stop.visit}: assignment says route {stop.route}, "
                    f"listed on {route_key}"
                )
            seen.add(stop.visit)
        stops = [s for s in stops if s.visit in visits]
        if [s.start for s in stops] != sorted(s.start for s in stops):
            errors.append(f"route {route_key}: stops not in visiting order")
            stops = sorted(stops, key=lambda s: s.start)
        route_errors, back = _check_route(problem, route, stops, visits)
        errors += route_errors
        travel += sum(s.travel_before for s in stops) + back
    for key, visit in visits.items():
        if key in seen and key in plan.unplaced:
            errors.append(f"visit {key}: both placed and unplaced")
        elif key not in seen and key not in plan.unplaced:
            errors.append(f"visit {key}: neither placed nor unplaced")
        elif visit.fixed is not None and key not in seen and visit.fixed[0] in routes:
            errors.append(f"visit {key}: fixed at {visit.fixed} but not placed")
    if plan.travel != travel:
        errors.append(
            f"plan travel {plan.travel} min, its stops add up to {travel} min"
        )
    return errors
