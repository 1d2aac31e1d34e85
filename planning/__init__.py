# The visit planner's core: plain Python, no ORM, so that the benchmark
# (tools/benchmark.py) and the tests can run it on any instance. The
# wizard service.visit.planner builds a Problem from the database, the
# solver returns a Plan, the checker verifies it independently.
from .problem import Assignment, Plan, PlannerUnavailable, Problem, Route, Visit
