"""The company's planning settings and its travel times (OSRM mocked)."""

from unittest.mock import patch

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import TransactionCase, new_test_user

from ..planning.travel import TravelError
from .common import RefusalMixin

TABLE = "odoo.addons.service_contract.models.service_travel_time.OsrmProvider.table"
ANNECY, CHAMBERY, GENEVA = (45.89920, 6.12940), (45.56460, 5.91780), (46.20440, 6.14320)


class TestPlanningTravelTime(RefusalMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        groups = "base.group_system,service_contract.group_service_contract_manager"
        cls.manager = new_test_user(cls.env, login="plan_mgr", groups=groups)
        cls.contract_manager = new_test_user(
            cls.env,
            login="plan_cm",
            groups="service_contract.group_service_contract_manager",
        )

    def _settings(self, **values):
        settings = (
            self.env["res.config.settings"].with_user(self.manager).create(values)
        )
        settings.execute()

    def test_settings_defaults_and_limits(self):
        company = self.env["res.company"].create({"name": "New Co"})
        self.assertEqual(company.service_travel_provider, "straight")
        self.assertEqual(company.service_road_factor, 1.3)
        self.assertEqual(company.service_average_speed, 50)
        self.assertEqual(company.service_planning_time_limit, 30)
        self._settings(
            service_travel_provider="osrm",
            service_osrm_url="https://osrm.test",
            service_planning_time_limit=90,
            service_road_factor=1.4,
        )
        self.assertEqual(self.company.service_travel_provider, "osrm")
        self.assertEqual(self.company.service_planning_time_limit, 90)
        for limit in (0, 91):
            self.assertRefused(
                ValidationError,
                "planning time limit must be between 1 and 90 seconds",
                self._settings,
                service_planning_time_limit=limit,
            )
        self.assertRefused(
            ValidationError,
            "road factor must be at least 1",
            self._settings,
            service_road_factor=0.5,
        )
        self.assertEqual(self.company.service_planning_time_limit, 90)
        self.assertEqual(self.company.service_road_factor, 1.4)
        view = self.env.ref("base.res_config_settings_view_form")
        arch = (
            self.env["res.config.settings"]
            .with_user(self.manager)
            .get_view(view.id)["arch"]
        )
        self.assertIn('name="service_planning_time_limit"', arch)
        self.assertIn('name="service_contract_planning"', arch)

    def test_straight_line_by_default(self):
        matrix = self.company._get_service_travel_matrix([ANNECY, CHAMBERY, ANNECY])
        # 40.7 km as the crow flies x 1.3 at 50 km/h: 63 min.
        self.assertEqual(matrix[0][2], 0)
        self.assertEqual(matrix[0][1], matrix[1][0])
        self.assertEqual(matrix[0][1], 63)

    def test_osrm_cached_once_per_pair(self):
        self.company.write(
            {"service_travel_provider": "osrm", "service_osrm_url": "https://osrm.test"}
        )
        Cache = self.env["service.travel.time"]
        with patch(TABLE, return_value=[[0, 50], [52, 0]]) as table:
            matrix = self.company._get_service_travel_matrix([ANNECY, CHAMBERY])
        self.assertEqual(matrix, [[0, 50], [52, 0]])
        self.assertEqual(table.call_count, 1)
        self.assertEqual(Cache.search_count([]), 2)
        with patch(TABLE) as table:
            again = self.company._get_service_travel_matrix(
                [(45.899201, 6.129399), CHAMBERY]  # same place, rounded
            )
        self.assertEqual(again, matrix)
        table.assert_not_called()
        # A new place: one request, only the four new pairs are stored.
        with patch(
            TABLE, return_value=[[0, 40, 55], [41, 0, 80], [56, 81, 0]]
        ) as table:
            matrix = self.company._get_service_travel_matrix([ANNECY, CHAMBERY, GENEVA])
        self.assertEqual(table.call_count, 1)
        self.assertEqual(Cache.search_count([]), 6)
        self.assertEqual(matrix[0][1], 50)  # cached, not the new answer
        self.assertEqual(matrix[0][2], 55)
        self.assertEqual(matrix[2][1], 81)

    def test_osrm_failure_falls_back_to_straight_line(self):
        self.company.write(
            {"service_travel_provider": "osrm", "service_osrm_url": "https://osrm.test"}
        )
        straight = self.company._get_service_straight_line_matrix([ANNECY, CHAMBERY])
        with (
            patch(TABLE, side_effect=TravelError("timeout")),
            self.assertLogs(
                "odoo.addons.service_contract.models.service_travel_time", "WARNING"
            ),
        ):
            matrix = self.company._get_service_travel_matrix([ANNECY, CHAMBERY])
        self.assertEqual(matrix, straight)
        self.assertFalse(self.env["service.travel.time"].search_count([]))

    def test_cache_readable_by_managers_written_by_nobody(self):
        self.env["service.travel.time"].create(
            {"from_lat": 1, "from_lon": 2, "to_lat": 3, "to_lon": 4, "minutes": 5}
        )
        Cache = self.env["service.travel.time"].with_user(self.contract_manager)
        self.assertEqual(Cache.search([]).minutes, 5)
        values = {"from_lat": 5, "from_lon": 2, "to_lat": 3, "to_lon": 4, "minutes": 5}
        self.assertRefused(AccessError, "", Cache.create, values)
        self.assertRefused(AccessError, "", Cache.search([]).write, {"minutes": 1})
        technician = new_test_user(
            self.env,
            login="plan_tech",
            groups="service_contract.group_service_contract_technician",
        )
        self.assertRefused(
            AccessError,
            "",
            self.env["service.travel.time"].with_user(technician).search,
            [],
        )
