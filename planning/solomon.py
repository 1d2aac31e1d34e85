"""Solomon's VRPTW instances (1987) as planning Problems, for the benchmark.

The text format: name, VEHICLE / NUMBER CAPACITY, then one line per node
(CUST NO., XCOORD., YCOORD., DEMAND, READY TIME, DUE DATE, SERVICE TIME),
node 0 being the depot. Travel = Euclidean distance = time.
"""

import itertools
import math

from .problem import Problem, Route, Visit


def parse_solomon(text):
    """{"name", "vehicles", "capacity", "nodes": [(x, y, demand, ready, due,
    service), ...]} of an instance's text."""
    lines = [line.split() for line in text.splitlines() if line.strip()]
    vehicles, capacity = (int(v) for v in lines[lines.index(["VEHICLE"]) + 2])
    first = next(i for i, line in enumerate(lines) if line[0] == "CUST") + 1
    nodes = [tuple(int(v) for v in line[1:]) for line in lines[first:]]
    return {
        "name": lines[0][0],
        "vehicles": vehicles,
        "capacity": capacity,
        "nodes": nodes,
    }


def solomon_problem(instance, scale=100):
    """The instance as a Problem, times and costs x scale in integers:
    travel (time) rounded up so that an integer-feasible plan is feasible
    with real distances, cost rounded; every customer must be served."""
    nodes = instance["nodes"]
    points = [(x, y) for x, y, *_rest in nodes]
    distance = [[math.dist(a, b) * scale for b in points] for a in points]
    travel = [[math.ceil(d - 1e-9) for d in row] for row in distance]
    cost = [[round(d) for d in row] for row in distance]
    _x, _y, _demand, depot_ready, depot_due, _service = nodes[0]
    visits = [
        Visit(
            key=i,
            location=i,
            duration=service * scale,
            windows=[(ready * scale, due * scale)],
            demand=demand,
            penalty=10**12,
        )
        for i, (_x, _y, demand, ready, due, service) in enumerate(nodes)
        if i
    ]
    routes = [
        Route(
            key=v,
            technician=v,
            start_location=0,
            end_location=0,
            start=depot_ready * scale,
            end=depot_due * scale,
            capacity=instance["capacity"],
        )
        for v in range(instance["vehicles"])
    ]
    return Problem(travel=travel, visits=visits, routes=routes, cost=cost)


def plan_distance(instance, plan):
    """The plan's real (float) distance and number of routes used."""
    points = [(x, y) for x, y, *_rest in instance["nodes"]]
    total = 0.0
    for stops in plan.routes.values():
        path = [0] + [a.visit for a in stops] + [0]
        total += sum(
            math.dist(points[a], points[b]) for a, b in itertools.pairwise(path)
        )
    return total, len(plan.routes)
