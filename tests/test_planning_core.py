"""The planner's core (planning/): solver and checker on small hand-made
problems, no database. Every solve is deterministic (greedy descent)."""

import itertools
import math
import random
import sys
import unittest
from dataclasses import replace
from pathlib import Path
from unittest.mock import Mock, patch

import requests

from ..planning.checker import check
from ..planning.greedy import plan_greedy
from ..planning.problem import (
    NO_CAPACITY,
    NO_ROUTE_IN_WINDOW,
    NO_SKILL,
    Assignment,
    PlannerUnavailable,
    Problem,
    Route,
    Visit,
)
from ..planning.solomon import parse_solomon, solomon_problem
from ..planning.solver import WorkClock, plan_cost, solve
from ..planning.travel import (
    OsrmProvider,
    TravelError,
    haversine_km,
    straight_line_minutes,
)

DAY = 1440
H8, H17 = 8 * 60, 17 * 60


def line_problem():
    """Agency at 0, visits at +10, +12, +14, -10, -12, -14 (travel =
    distance in minutes), 90 min each; two technicians from 08:00 to 17:00,
    too short for one to do the six."""
    xs = [0, 10, 12, 14, -10, -12, -14]
    travel = [[abs(a - b) for b in xs] for a in xs]
    visits = [
        Visit(key=f"v{x}", location=i, duration=90, windows=[(H8, H17)])
        for i, x in enumerate(xs)
        if i
    ]
    routes = [
        Route(
            key=name,
            technician=name,
            start_location=0,
            end_location=0,
            start=H8,
            end=H17,
        )
        for name in "AB"
    ]
    return Problem(travel=travel, visits=visits, routes=routes), xs


def brute_force(problem):
    """The least travel over every split of the visits between the two
    routes and every visiting order, within the day."""
    visits, (route, _other) = problem.visits, problem.routes
    travel = problem.travel

    def best(subset):
        result = None
        for order in itertools.permutations(subset):
            path = [0] + [v.location for v in order] + [0]
            minutes = sum(travel[a][b] for a, b in itertools.pairwise(path))
            if route.start + minutes + 90 * len(order) <= route.end and (
                result is None or minutes < result
            ):
                result = minutes
        return result

    answers = []
    for mask in range(2 ** len(visits)):
        a = [v for i, v in enumerate(visits) if mask >> i & 1]
        b = [v for i, v in enumerate(visits) if not mask >> i & 1]
        cost_a, cost_b = best(a), best(b)
        if cost_a is not None and cost_b is not None:
            answers.append(cost_a + cost_b)
    return min(answers)


class TestPlanningSolver(unittest.TestCase):
    def solve(self, problem):
        plan = solve(problem, deterministic=True)
        self.assertEqual(check(problem, plan), [])
        return plan

    def test_line_instance_matches_brute_force(self):
        problem, _xs = line_problem()
        plan = self.solve(problem)
        self.assertEqual(brute_force(problem), 56)
        self.assertEqual(plan.travel, 56)
        self.assertEqual(plan.unplaced, {})
        # Each technician takes one side of the agency, nearest first.
        sides = sorted(
            sorted(int(a.visit[1:]) for a in stops) for stops in plan.routes.values()
        )
        self.assertEqual(sides, [[-14, -12, -10], [10, 12, 14]])
        first = [stops[0] for stops in plan.routes.values()]
        self.assertEqual({a.travel_before for a in first}, {10})

    def test_skill_nobody_has(self):
        problem, _xs = line_problem()
        problem.routes[0].skills = frozenset({"gas"})
        problem.visits[0].skills = frozenset({"lift"})
        problem.visits[1].skills = frozenset({"gas"})
        plan = self.solve(problem)
        self.assertEqual(plan.unplaced, {"v10": NO_SKILL})
        self.assertEqual([a.route for a in plan.assignments if a.visit == "v12"], ["A"])

    def test_only_route_in_the_window(self):
        # A works Monday and Wednesday (on leave Tuesday), B only Tuesday.
        travel = [[0, 15], [15, 0]]
        routes = [
            Route(
                key=("A", 0),
                technician="A",
                start_location=0,
                end_location=0,
                start=H8,
                end=H17,
            ),
            Route(
                key=("B", 1),
                technician="B",
                start_location=0,
                end_location=0,
                start=DAY + H8,
                end=DAY + H17,
            ),
            Route(
                key=("A", 2),
                technician="A",
                start_location=0,
                end_location=0,
                start=2 * DAY + H8,
                end=2 * DAY + H17,
            ),
        ]
        visits = [
            Visit(key="tuesday", location=1, duration=60, windows=[(DAY, 2 * DAY - 1)]),
            Visit(
                key="thursday",
                location=1,
                duration=60,
                windows=[(3 * DAY, 4 * DAY - 1)],
            ),
            # Tuesday 16:30 at the latest would end after B's day with the drive back.
            Visit(
                key="too late",
                location=1,
                duration=60,
                windows=[(DAY + 16 * 60, DAY + 16 * 60 + 30)],
            ),
        ]
        plan = self.solve(Problem(travel=travel, visits=visits, routes=routes))
        self.assertEqual(
            [(a.visit, a.route) for a in plan.assignments], [("tuesday", ("B", 1))]
        )
        self.assertEqual(
            plan.unplaced,
            {"thursday": NO_ROUTE_IN_WINDOW, "too late": NO_ROUTE_IN_WINDOW},
        )

    def test_breakdown_deadline_before_preventive(self):
        # One day of 8 h, seven preventive visits of 1 h and a breakdown to
        # start before 10:00: 8 h of work plus driving, one preventive waits.
        travel = [[0 if a == b else 5 for b in range(9)] for a in range(9)]
        routes = [
            Route(
                key="A",
                technician="A",
                start_location=0,
                end_location=0,
                start=H8,
                end=16 * 60,
            )
        ]
        visits = [
            Visit(key=f"p{i}", location=i, duration=60, windows=[(H8, 16 * 60)])
            for i in range(1, 8)
        ]
        visits.append(
            Visit(
                key="breakdown",
                location=8,
                duration=60,
                windows=[(H8, 16 * 60)],
                penalty=10**7,
                deadline=10 * 60,
            )
        )
        plan = self.solve(Problem(travel=travel, visits=visits, routes=routes))
        breakdown = [a for a in plan.assignments if a.visit == "breakdown"]
        self.assertEqual(len(breakdown), 1)
        self.assertLessEqual(breakdown[0].start, 10 * 60)
        self.assertEqual(list(plan.unplaced.values()), [NO_CAPACITY])
        self.assertTrue(next(iter(plan.unplaced)).startswith("p"))
        self.assertEqual(plan.warnings, {})

    def test_breaks_fixed_visits_and_capacity(self):
        problem, _xs = line_problem()
        for route in problem.routes:
            route.breaks = [(12 * 60, 12 * 60, 60)]
            route.capacity = 2
        for visit in problem.visits:
            visit.demand = 1
        problem.visits[0].fixed = ("B", 9 * 60)  # +10 pinned on B at 09:00
        plan = self.solve(problem)
        self.assertIn(
            Assignment("v10", "B", 9 * 60, 10 * 60 + 30, 10), plan.routes["B"]
        )
        self.assertEqual(len(plan.assignments), 4)  # capacity 2 per technician
        self.assertEqual(set(plan.unplaced.values()), {NO_CAPACITY})

    def test_without_ortools(self):
        problem, _xs = line_problem()
        hidden = {
            name: None
            for name in list(sys.modules)
            if name == "ortools" or name.startswith("ortools.")
        }
        hidden["ortools"] = None
        with patch.dict(sys.modules, hidden):
            with self.assertRaises(PlannerUnavailable) as caught:
                solve(problem, deterministic=True)
        self.assertIn("pip install ortools", str(caught.exception))
        self.assertIn(
            "pip install -r tools/requirements-planning.txt", str(caught.exception)
        )
        self.assertIsNotNone(sys.modules.get("ortools"))


class TestPlanningWorkClock(unittest.TestCase):
    """A lunch every route shares is cut out of the time line: driving
    across it resumes after it, no visit straddles it."""

    def lunch_problem(self, latest_after_lunch):
        # Agency 0, X 30 min away, Y 40 min from X; lunch 12:00-13:30.
        travel = [[0, 30, 50], [30, 0, 40], [50, 40, 0]]
        visits = [
            Visit(key="X", location=1, duration=60, windows=[(11 * 60, 11 * 60)]),
            Visit(
                key="Y",
                location=2,
                duration=30,
                windows=[(13 * 60 + 30, latest_after_lunch)],
            ),
        ]
        route = Route(
            key="A",
            technician="A",
            start_location=0,
            end_location=0,
            start=H8,
            end=H17,
            breaks=[(12 * 60, 12 * 60, 90)],
        )
        return Problem(travel=travel, visits=visits, routes=[route])

    def test_driving_resumes_after_lunch(self):
        problem = self.lunch_problem(14 * 60 + 10)
        clock = WorkClock.shared(problem)
        self.assertEqual(clock.to_work(14 * 60 + 10), 12 * 60 + 40)
        self.assertEqual(clock.to_clock(12 * 60 + 40), 14 * 60 + 10)
        # Not even a visit of no duration starts at the lunch's start.
        self.assertEqual(clock.allowed([(11 * 60, 12 * 60)], 0), [(660, 719)])
        plan = solve(problem, deterministic=True)
        self.assertEqual(check(problem, plan), [])
        # X 11:00-12:00, lunch, 40 min drive: Y at 14:10 at the earliest.
        self.assertEqual(
            [(a.visit, a.start) for a in plan.routes["A"]],
            [("X", 11 * 60), ("Y", 14 * 60 + 10)],
        )
        problem = self.lunch_problem(14 * 60)
        plan = solve(problem, deterministic=True)
        self.assertEqual(check(problem, plan), [])
        self.assertEqual(len(plan.assignments), 1)

    def test_breaks_not_shared_stay_intervals(self):
        problem = self.lunch_problem(14 * 60)
        problem.routes.append(replace(problem.routes[0], key="B", breaks=[]))
        self.assertIsNone(WorkClock.shared(problem))
        problem.routes[1].breaks = [(12 * 60, 13 * 60, 90)]
        self.assertIsNone(WorkClock.shared(problem))

    def test_month_with_lunches_is_checker_clean(self):
        for seed in range(3):
            problem = random_problem(seed)
            for route in problem.routes:
                lunch = route.start - H8 + 12 * 60
                route.breaks = [(lunch, lunch, 90)]
            self.assertIsNotNone(WorkClock.shared(problem))
            plan = solve(problem, deterministic=True)
            self.assertEqual(check(problem, plan), [], seed)
            greedy = plan_greedy(problem)
            self.assertGreaterEqual(len(plan.assignments), len(greedy.assignments))


class TestPlanningChecker(unittest.TestCase):
    """Hand-made faults on the line instance's best plan."""

    def setUp(self):
        super().setUp()
        self.problem, _xs = line_problem()
        self.plan = solve(self.problem, deterministic=True)
        self.assertEqual(check(self.problem, self.plan), [])
        self.route = self.plan.routes["A"]

    def assertFault(self, text):
        errors = check(self.problem, self.plan)
        self.assertTrue(any(text in e for e in errors), errors)

    def test_overlap(self):
        second = self.route[1]
        self.route[1] = replace(second, start=second.start - 60, end=second.end - 60)
        self.assertFault("overlapping the previous stop")

    def test_outside_window(self):
        self.problem.visits = [
            replace(v, windows=[(H8, 9 * 60)]) for v in self.problem.visits
        ]
        self.assertFault("outside windows")

    def test_wrong_skill(self):
        visit = next(v for v in self.problem.visits if v.key == self.route[0].visit)
        visit.skills = frozenset({"gas"})
        self.assertFault("lacks skills gas")

    def test_travel_too_short(self):
        first = self.route[0]
        self.route[0] = replace(first, start=H8 + 2, end=H8 + 92, travel_before=2)
        self.assertFault("min needed to drive")

    def test_after_route_end(self):
        last = self.route[-1]
        self.route[-1] = replace(last, start=H17 - 90, end=H17)
        self.assertFault("after its end")

    def test_break_overlap_fixed_and_twice(self):
        self.problem.routes[0].breaks = [(self.route[0].start, self.route[0].start, 30)]
        self.assertFault("overlaps the break")
        self.problem.visits[-1].fixed = ("A", H8)
        self.assertFault("fixed at")
        self.plan.routes["B"].append(
            replace(self.route[0], route="B", start=H17 - 100, end=H17 - 10)
        )
        self.assertFault("placed more than once")

    def test_capacity(self):
        self.problem.routes[0].capacity = 1
        for visit in self.problem.visits:
            visit.demand = 1
        self.assertFault("over its capacity")


def random_problem(seed, n_visits=40, n_days=3):
    """Visits over a 20 x 20 km square, 1 to 3 day windows, two
    technicians with a lunch break (12:00 or 12:00-13:00, 45 min) and a
    skill each, one of them off on the second day."""
    rng = random.Random(seed)
    points = [(10, 10)] + [
        (rng.uniform(0, 20), rng.uniform(0, 20)) for _i in range(n_visits)
    ]
    travel = [[round(math.dist(a, b) * 2) for b in points] for a in points]
    routes = []
    for day in range(n_days):
        for name, skill in (("A", "gas"), ("B", "lift")):
            if name == "B" and day == 1:
                continue
            lunch = (day * DAY + 12 * 60, day * DAY + 12 * 60 + rng.choice((0, 60)), 45)
            routes.append(
                Route(
                    key=(name, day),
                    technician=name,
                    start_location=0,
                    end_location=0,
                    start=day * DAY + H8,
                    end=day * DAY + H17,
                    breaks=[lunch],
                    skills=frozenset({skill}),
                )
            )
    visits = []
    for i in range(1, n_visits + 1):
        first = rng.randrange(n_days)
        last = min(n_days - 1, first + rng.randrange(3))
        skills = frozenset(rng.choice([(), (), ("gas",), ("lift",)]))
        visits.append(
            Visit(
                key=i,
                location=i,
                duration=rng.choice((30, 60, 90)),
                windows=[(first * DAY, last * DAY + DAY - 1)],
                skills=skills,
            )
        )
    return Problem(travel=travel, visits=visits, routes=routes)


class TestPlanningGreedy(unittest.TestCase):
    def test_greedy_plans_pass_the_checker(self):
        problem, _xs = line_problem()
        plan = plan_greedy(problem)
        self.assertEqual(check(problem, plan), [])
        self.assertEqual(plan.unplaced, {})
        self.assertGreaterEqual(plan.travel, 56)
        for seed in range(3):
            problem = random_problem(seed)
            greedy = plan_greedy(problem)
            self.assertEqual(check(problem, greedy), [], seed)
            self.assertTrue(greedy.assignments)
            best = solve(problem, deterministic=True)
            self.assertEqual(check(problem, best), [], seed)
            self.assertGreaterEqual(len(best.assignments), len(greedy.assignments) - 2)

    def test_solver_never_worse_than_greedy(self):
        # Stopped before its first solution, the search returns the baseline.
        problem = random_problem(1)
        plan = solve(problem, time_limit=0.001)
        self.assertEqual(check(problem, plan), [])
        greedy = plan_greedy(problem)
        self.assertLessEqual(plan_cost(problem, plan), plan_cost(problem, greedy))
        self.assertGreaterEqual(len(plan.assignments), len(greedy.assignments))

    def test_month_search_starts_from_the_greedy_plan(self):
        # 49 technician-days with shared lunches and a fixed appointment:
        # the search starts from the greedy plan and only improves it.
        problem = random_problem(2, n_visits=80, n_days=25)
        for route in problem.routes:
            lunch = route.start - H8 + 12 * 60
            route.breaks = [(lunch, lunch, 90)]
        greedy = plan_greedy(problem)
        first = next(iter(greedy.routes.values()))[0]
        visit = next(v for v in problem.visits if v.key == first.visit)
        visit.fixed = (first.route, first.start)
        plan = solve(problem, time_limit=2)
        self.assertEqual(check(problem, plan), [])
        self.assertEqual(
            (plan.stats["status"], plan.stats["start"]), ("solved", "greedy")
        )
        self.assertLessEqual(plan_cost(problem, plan), plan_cost(problem, greedy))
        self.assertLess(plan.travel, greedy.travel)
        self.assertGreaterEqual(len(plan.assignments), len(greedy.assignments))

    def test_greedy_keeps_fixed_visits_breaks_and_capacity(self):
        problem, _xs = line_problem()
        for route in problem.routes:
            route.breaks = [(12 * 60, 12 * 60, 60)]
            route.capacity = 2
        for visit in problem.visits:
            visit.demand = 1
        problem.visits[0].fixed = ("B", 9 * 60)
        plan = plan_greedy(problem)
        self.assertEqual(check(problem, plan), [])
        self.assertIn(
            Assignment("v10", "B", 9 * 60, 10 * 60 + 30, 10), plan.routes["B"]
        )
        self.assertEqual(len(plan.assignments), 4)
        self.assertEqual(set(plan.unplaced.values()), {NO_CAPACITY})


class TestPlanningTravel(unittest.TestCase):
    PARIS, LYON = (48.8566, 2.3522), (45.7640, 4.8357)

    def test_straight_line(self):
        self.assertAlmostEqual(haversine_km(self.PARIS, self.LYON), 392, delta=2)
        # 392 km x 1.3 at 50 km/h = 611.5 min.
        matrix = straight_line_minutes([self.PARIS, self.LYON], 1.3, 50)
        self.assertEqual(matrix[0][0], 0)
        self.assertEqual(matrix[0][1], matrix[1][0])
        self.assertAlmostEqual(matrix[0][1], 612, delta=3)

    def test_osrm_table(self):
        answer = Mock(status_code=200)
        answer.json.return_value = {"code": "Ok", "durations": [[0, 601.2], [599, 0]]}
        with patch("requests.get", return_value=answer) as get:
            matrix = OsrmProvider("http://osrm.test/", timeout=5).table(
                [self.PARIS, self.LYON]
            )
        self.assertEqual(matrix, [[0, 11], [10, 0]])
        get.assert_called_once_with(
            "http://osrm.test/table/v1/driving/2.352200,48.856600;4.835700,45.764000",
            params={"annotations": "duration"},
            timeout=5,
        )
        answer.json.return_value = {"code": "Ok", "durations": [[0, None], [599, 0]]}
        with patch("requests.get", return_value=answer):
            with self.assertRaises(TravelError):
                OsrmProvider("http://osrm.test").table([self.PARIS, self.LYON])
        with patch("requests.get", side_effect=requests.ConnectionError("refused")):
            with self.assertRaises(TravelError):
                OsrmProvider("http://osrm.test").table([self.PARIS, self.LYON])


class TestSolomon(unittest.TestCase):
    def test_parse_c101(self):
        path = Path(__file__).resolve().parent.parent / "tools/data/solomon/C101.txt"
        instance = parse_solomon(path.read_text())
        self.assertEqual(instance["name"], "C101")
        self.assertEqual(len(instance["nodes"]), 101)
        self.assertEqual((instance["vehicles"], instance["capacity"]), (25, 200))
        # CUST NO. 1: x 45, y 68, demand 10, ready 912, due 967, service 90.
        self.assertEqual(instance["nodes"][1], (45, 68, 10, 912, 967, 90))
        problem = solomon_problem(instance)
        visit = problem.visits[0]
        self.assertEqual(
            (visit.location, visit.windows, visit.duration), (1, [(91200, 96700)], 9000)
        )
        # Depot (40, 50) to customer 1 (45, 68): 18.68 -> 1868 (cost), 1869 (time).
        self.assertEqual((problem.cost[0][1], problem.travel[0][1]), (1868, 1869))
        self.assertEqual(len(problem.routes), 25)
        self.assertEqual(problem.routes[0].end, 123600)
