from datetime import date
from unittest.mock import patch

import psycopg2
import requests
from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.service.model import _as_validation_error
from odoo.tests import Form, HttpCase, TransactionCase, new_test_user, tagged
from odoo.tools import file_open, mute_logger

from ..models.insee_sdmx import SdmxError, parse_monthly_observations
from .common import ServiceContractCase

REQUESTS_GET = (
    "odoo.addons.service_contract.models.service_price_index_insee.requests.get"
)
RECORDED_BT01 = "service_contract/tests/data/insee_sdmx_bt01.xml"


def index_value(index, day):
    """The value of ``index`` for the month of ``day`` as the revision
    reads it (``_get_values``), or False when it is not known."""
    key = (index.id, fields.Date.to_date(day))
    return index.env["service.price.index.value"]._get_values([key]).get(key, False)


class PriceIndexCase(ServiceContractCase):
    """An engineering index with the values of the issue's worked example."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Index = cls.env["service.price.index"]
        cls.Value = cls.env["service.price.index.value"]
        cls.index = cls.Index.create(
            {
                "name": "Test engineering",
                "code": "T-ING",
                "base": "base 100 en 2010",
                "value_ids": [
                    (0, 0, {"date": date(2021, 8, 1), "value": 121.2}),
                    (0, 0, {"date": date(2023, 7, 1), "value": 130.1}),
                    (0, 0, {"date": date(2023, 8, 1), "value": 130.5}),
                ],
            }
        )
        cls.other = cls.Index.create(
            {"name": "Test building", "code": "T-BT01", "idbank": "001710986"}
        )

    def _values(self, index=None):
        index = index or self.index
        return {
            v.date: v.value for v in self.Value.search([("index_id", "=", index.id)])
        }


@tagged("post_install", "-at_install")
class TestPriceIndexValues(PriceIndexCase):
    def test_month_is_stored_as_its_first_day(self):
        value = self.Value.create(
            {"index_id": self.index.id, "date": "2024-02-17", "value": 132.0}
        )
        self.assertEqual(value.date, date(2024, 2, 1))
        value.date = date(2024, 3, 31)
        self.assertEqual(value.date, date(2024, 3, 1))

    def test_value_of_zero_or_below_is_refused(self):
        before = self._values()
        for number in (0.0, -1.5):
            with self.subTest(value=number):
                self.assertRefused(
                    ValidationError,
                    "greater than zero",
                    self.Value.create,
                    {"index_id": self.index.id, "date": "2024-01-01", "value": number},
                )
        august = self.index.value_ids.filtered(lambda v: v.date == date(2023, 8, 1))
        self.assertRefused(
            ValidationError, "greater than zero", august.write, {"value": 0}
        )
        self.assertEqual(self._values(), before)

    def test_two_values_for_one_month_are_refused(self):
        before = self._values()
        # Any day of a month that has a value already.
        self.assertRefused(
            ValidationError,
            "already has a value for August 2023",
            self.Value.create,
            {"index_id": self.index.id, "date": "2023-08-20", "value": 131.0},
        )
        # Twice the same month in one batch.
        self.assertRefused(
            ValidationError,
            "already has a value for January 2024",
            self.Value.create,
            [
                {"index_id": self.index.id, "date": "2024-01-01", "value": 131.0},
                {"index_id": self.index.id, "date": "2024-01-15", "value": 131.2},
            ],
        )
        # Moving a value onto a month that has one.
        july = self.index.value_ids.filtered(lambda v: v.date == date(2023, 7, 1))
        self.assertRefused(
            ValidationError, "already has a value", july.write, {"date": "2023-08-10"}
        )
        self.assertEqual(self._values(), before)
        # The same month of another index is fine.
        self.Value.create({"index_id": self.other.id, "date": "2023-08-01", "value": 1})

    def test_database_keeps_one_value_per_month(self):
        """Two transactions at once pass the check: the database refuses the
        second, with a translated message (Odoo's RPC layer shows it)."""
        self.env.flush_all()
        with (
            self.assertRaises(psycopg2.IntegrityError) as caught,
            mute_logger("odoo.sql_db"),
            self.env.cr.savepoint(),
        ):
            self.env.cr.execute(
                "INSERT INTO service_price_index_value (index_id, date, value)"
                " VALUES (%s, '2023-08-01', 131)",
                (self.index.id,),
            )
        error = _as_validation_error(self.env, caught.exception)
        self.assertIn("An index has only one value per month.", str(error))
        with (
            self.assertRaises(psycopg2.IntegrityError),
            mute_logger("odoo.sql_db"),
            self.env.cr.savepoint(),
        ):
            self.env.cr.execute(
                "INSERT INTO service_price_index_value (index_id, date, value)"
                " VALUES (%s, '2030-01-01', 0)",
                (self.index.id,),
            )

    def test_code_is_unique(self):
        with (
            self.assertRaises(psycopg2.IntegrityError),
            mute_logger("odoo.sql_db"),
            self.env.cr.savepoint(),
        ):
            self.Index.create({"name": "Copy", "code": "T-ING"})

    def test_value_of_a_month(self):
        self.assertEqual(index_value(self.index, date(2021, 8, 1)), 121.2)
        self.assertEqual(index_value(self.index, date(2023, 8, 31)), 130.5)
        self.assertEqual(index_value(self.index, "2023-07-14"), 130.1)
        self.assertIs(index_value(self.index, date(2022, 8, 1)), False)

    def test_last_value_known_on_a_day(self):
        self.assertEqual(
            self.index._get_last_value(date(2026, 1, 15)), (date(2023, 8, 1), 130.5)
        )
        self.assertEqual(
            self.index._get_last_value(date(2023, 7, 31)), (date(2023, 7, 1), 130.1)
        )
        self.assertEqual(
            self.index._get_last_value(date(2022, 12, 31)), (date(2021, 8, 1), 121.2)
        )
        self.assertEqual(self.index._get_last_value(date(2021, 7, 31)), (False, False))
        self.assertEqual(self.other._get_last_value(date(2026, 1, 1)), (False, False))
        self.assertEqual(self.index.last_value_date, date(2023, 8, 1))
        self.assertEqual(self.index.last_value, 130.5)
        self.assertEqual(self.index.value_count, 3)
        self.assertFalse(self.other.last_value_date)

    def test_values_of_many_months_in_one_query(self):
        self.Value.create(
            [
                {
                    "index_id": self.other.id,
                    "date": date(2023, month, 1),
                    "value": 129 + month / 10,
                }
                for month in range(1, 13)
            ]
        )
        pairs = [(self.index.id, date(2021, 8, 1)), (self.index.id, date(2023, 8, 1))]
        pairs += [(self.other.id, date(2023, month, 1)) for month in range(1, 13)]
        pairs += [(self.other.id, date(2019, 1, 1))]  # unknown: left out
        self.env.flush_all()
        with self.assertQueryCount(1):
            values = self.Value._get_values(pairs)
        self.assertEqual(len(values), 14)
        self.assertEqual(values[self.index.id, date(2021, 8, 1)], 121.2)
        self.assertEqual(values[self.index.id, date(2023, 8, 1)], 130.5)
        self.assertAlmostEqual(values[self.other.id, date(2023, 12, 1)], 130.2)
        self.assertNotIn((self.other.id, date(2019, 1, 1)), values)
        self.assertEqual(self.Value._get_values([]), {})

    def test_any_day_reads_the_value_of_its_month(self):
        values = self.Value._get_values([(self.index.id, date(2023, 8, 17))])
        self.assertEqual(values, {(self.index.id, date(2023, 8, 17)): 130.5})

    def test_last_values_of_many_indices_in_one_query(self):
        self.Value.create(
            {"index_id": self.other.id, "date": "2023-01-01", "value": 129.1}
        )
        pairs = [
            (self.index.id, date(2023, 8, 31)),
            (self.index.id, date(2023, 7, 31)),
            (self.index.id, date(2022, 1, 1)),
            (self.index.id, date(2021, 7, 31)),
            (self.other.id, date(2026, 10, 1)),
        ]
        self.env.flush_all()
        with self.assertQueryCount(1):
            values = self.Value._get_last_values(pairs)
        self.assertEqual(
            values,
            {
                (self.index.id, date(2023, 8, 31)): (date(2023, 8, 1), 130.5),
                (self.index.id, date(2023, 7, 31)): (date(2023, 7, 1), 130.1),
                (self.index.id, date(2022, 1, 1)): (date(2021, 8, 1), 121.2),
                (self.other.id, date(2026, 10, 1)): (date(2023, 1, 1), 129.1),
            },
        )

    def test_manager_enters_values_in_the_form(self):
        manager = new_test_user(
            self.env,
            login="sc_index_form_manager",
            groups="base.group_user,service_contract.group_service_contract_manager",
        )
        with Form(self.Index.with_user(manager)) as form:
            form.name = "Cleaning labour"
            form.code = "T-FSD3"
            with form.value_ids.new() as line:
                line.date = date(2024, 1, 20)
                line.value = 118.4
            with form.value_ids.new() as line:
                line.date = date(2024, 2, 1)
                line.value = 118.9
        index = form.record
        self.assertEqual(
            index.value_ids.mapped("date"), [date(2024, 2, 1), date(2024, 1, 1)]
        )
        self.assertEqual(index.last_value_date, date(2024, 2, 1))
        self.assertEqual(index.last_value, 118.9)

    def test_value_digits(self):
        value = self.Value.create(
            {"index_id": self.index.id, "date": "2024-05-01", "value": 132.12345}
        )
        self.assertEqual(self.Value._fields["value"].get_digits(self.env), (16, 4))
        self.assertAlmostEqual(value.value, 132.1235, places=4)


@tagged("post_install", "-at_install")
class TestPriceIndexImport(PriceIndexCase):
    def test_import_template_is_offered(self):
        templates = self.Value.get_import_templates()
        self.assertEqual(len(templates), 1)
        path = templates[0]["template"]
        self.assertTrue(path.startswith("/service_contract/static/xls/"))
        with file_open(path.lstrip("/"), "rb") as template:
            content = template.read()
        importer = self.env["base_import.import"].create(
            {
                "res_model": "service.price.index.value",
                "file": content,
                "file_name": "service_price_index_value.csv",
                "file_type": "text/csv",
            }
        )
        preview = importer.parse_preview(
            {"has_headers": True, "separator": ",", "quoting": '"'}
        )
        self.assertFalse(preview.get("error"), preview)
        self.assertEqual(preview["headers"], ["Index", "Month", "Value"])
        self.assertEqual(
            [preview["matches"][column] for column in range(3)],
            [["index_id"], ["date"], ["value"]],
        )

    def _import(self, csv):
        importer = self.env["base_import.import"].create(
            {
                "res_model": "service.price.index.value",
                "file": csv.encode(),
                "file_name": "values.csv",
                "file_type": "text/csv",
            }
        )
        return importer.execute_import(
            ["index_id", "date", "value"],
            ["Index", "Month", "Value"],
            {
                "has_headers": True,
                "separator": ",",
                "quoting": '"',
                "date_format": "%Y-%m-%d",
                "float_thousand_separator": " ",
                "float_decimal_separator": ".",
            },
        )

    def test_import_csv_by_index_code(self):
        result = self._import(
            "Index,Month,Value\n"
            "T-ING,2024-01-01,131.6\n"
            "T-ING,2024-02-15,131.9\n"
            "T-BT01,2024-01-01,130.9\n"
        )
        self.assertFalse(result["messages"], result["messages"])
        self.assertEqual(len(result["ids"]), 3)
        self.assertEqual(index_value(self.index, date(2024, 1, 1)), 131.6)
        self.assertEqual(index_value(self.index, date(2024, 2, 1)), 131.9)
        self.assertEqual(index_value(self.other, date(2024, 1, 1)), 130.9)

    def test_import_refuses_a_month_twice(self):
        before = self._values()
        result = self._import(
            "Index,Month,Value\nT-ING,2024-01-01,131.6\nT-ING,2023-08-12,131.0\n"
        )
        messages = [m["message"] for m in result["messages"]]
        self.assertTrue(
            any("already has a value for August 2023" in m for m in messages), messages
        )
        self.assertFalse(result["ids"])
        self.env.invalidate_all()
        self.assertEqual(self._values(), before)

    def test_load_normalises_and_refuses_zero(self):
        result = self.Value.load(
            ["index_id/.id", "date", "value"],
            [[str(self.index.id), "2024-06-30", "0"]],
        )
        self.assertFalse(result["ids"])
        self.assertIn("greater than zero", result["messages"][0]["message"])
        result = self.Value.load(
            [".id", "date"],
            [[str(self.index.value_ids[0].id), "2019-05-23"]],
        )
        self.assertFalse(result["messages"], result["messages"])
        self.assertEqual(self.Value.browse(result["ids"]).date, date(2019, 5, 1))


@tagged("post_install", "-at_install")
class TestPriceIndexInsee(PriceIndexCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with file_open(RECORDED_BT01, "rb") as recorded:
            cls.recorded = recorded.read()

    def _response(self, content=None, status=200):
        response = requests.Response()
        response.status_code = status
        response._content = self.recorded if content is None else content
        return response

    def test_parse_recorded_response(self):
        observations = parse_monthly_observations(self.recorded)
        self.assertEqual(len(observations), 10)  # 2026-09 is NaN: left out
        self.assertEqual(observations[0], (date(2025, 11, 1), 133.0))
        self.assertEqual(observations[-1], (date(2026, 8, 1), 134.0))

    def test_parse_generic_data_and_skip_other_periods(self):
        content = """<message:GenericData
            xmlns:message="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message"
            xmlns:generic="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/data/generic">
          <message:DataSet>
            <generic:Series>
              <generic:Obs>
                <generic:ObsDimension value="2023-08"/>
                <generic:ObsValue value="130.5"/>
              </generic:Obs>
              <generic:Obs>
                <generic:ObsDimension value="2023-Q3"/>
                <generic:ObsValue value="130.4"/>
              </generic:Obs>
              <generic:Obs><generic:ObsDimension value="2023-09"/></generic:Obs>
              <generic:Obs>
                <generic:ObsDimension value="2023-13"/>
                <generic:ObsValue value="1"/>
              </generic:Obs>
              <generic:Obs>
                <generic:ObsDimension value="2023-M10"/>
                <generic:ObsValue value="131.0"/>
              </generic:Obs>
            </generic:Series>
          </message:DataSet>
        </message:GenericData>"""
        self.assertEqual(
            parse_monthly_observations(content),
            [(date(2023, 8, 1), 130.5), (date(2023, 10, 1), 131.0)],
        )

    def test_parse_refuses_what_is_not_sdmx(self):
        for content in (b"<html><body>Service unavailable</body></html>", b"oops <"):
            with self.subTest(content=content), self.assertRaises(SdmxError):
                parse_monthly_observations(content)

    def test_fetch_creates_and_updates_months(self):
        self.Value.create(
            [
                {"index_id": self.other.id, "date": "2025-11-01", "value": 133.0},
                {"index_id": self.other.id, "date": "2026-08-01", "value": 133.7},
            ]
        )
        with patch(REQUESTS_GET, return_value=self._response()) as get:
            action = self.other.action_fetch_insee()
        get.assert_called_once()
        self.assertEqual(
            get.call_args.args[0],
            "https://bdm.insee.fr/series/sdmx/data/SERIES_BDM/001710986",
        )
        self.assertEqual(get.call_args.kwargs["timeout"], 30)
        self.assertIn("8 new, 1 updated", action["params"]["message"])
        values = self._values(self.other)
        self.assertEqual(len(values), 10)
        self.assertEqual(values[date(2026, 8, 1)], 134.0)  # provisional, updated
        self.assertEqual(values[date(2026, 1, 1)], 133.3)
        self.assertNotIn(date(2026, 9, 1), values)
        # Fetched again: nothing to do.
        with patch(REQUESTS_GET, return_value=self._response()):
            action = self.other.action_fetch_insee()
        self.assertIn("0 new, 0 updated", action["params"]["message"])

    def test_network_unreachable(self):
        for error in (requests.ConnectionError("no route"), requests.Timeout("slow")):
            with self.subTest(error=error), patch(REQUESTS_GET, side_effect=error):
                self.assertRefused(
                    UserError,
                    "INSEE could not be reached",
                    self.other.action_fetch_insee,
                )
        self.assertFalse(self._values(self.other))

    def test_unknown_series_and_unreadable_answer(self):
        with patch(REQUESTS_GET, return_value=self._response(b"", status=404)):
            self.assertRefused(
                UserError,
                "no series with the idbank 001710986",
                self.other.action_fetch_insee,
            )
        with patch(REQUESTS_GET, return_value=self._response(b"", status=500)):
            self.assertRefused(UserError, "HTTP 500", self.other.action_fetch_insee)
        with patch(REQUESTS_GET, return_value=self._response(b"<html/>")):
            self.assertRefused(
                UserError, "could not be read", self.other.action_fetch_insee
            )
        self.assertFalse(self._values(self.other))
        self.assertRefused(
            UserError, "Set the INSEE idbank", self.index.action_fetch_insee
        )

    def test_cron_fetches_every_index_one_failing(self):
        broken = self.Index.create(
            {"name": "Broken", "code": "T-BROKEN", "idbank": "000000000"}
        )

        def get(url, **kwargs):
            if url.endswith("000000000"):
                raise requests.ConnectionError("down")
            return self._response()

        # Only the indices of this test: the demo ones have idbanks too.
        indices = self.Index.search([("idbank", "!=", False)])
        (indices - self.other - broken).active = False
        with (
            patch(REQUESTS_GET, side_effect=get),
            mute_logger(
                "odoo.addons.service_contract.models.service_price_index_insee"
            ),
        ):
            self.Index._cron_fetch_insee_indices()
        self.assertEqual(len(self._values(self.other)), 10)
        self.assertFalse(self._values(broken))

    def test_cron_is_disabled_by_default(self):
        cron = self.env.ref("service_contract.ir_cron_fetch_insee_indices")
        self.assertFalse(cron.active)
        self.assertEqual(cron.code, "model._cron_fetch_insee_indices()")


@tagged("post_install", "-at_install")
class TestPriceIndexAccess(PriceIndexCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        groups = {
            "contract_user": "service_contract.group_service_contract_user",
            "manager": "service_contract.group_service_contract_manager",
            "technician": "service_contract.group_service_contract_technician",
            "salesman": "sales_team.group_sale_salesman",
        }
        for key, group in groups.items():
            user = new_test_user(
                cls.env, login=f"sc_index_{key}", groups=f"base.group_user,{group}"
            )
            setattr(cls, key, user)

    def test_contract_user_reads_only(self):
        index = self.index.with_user(self.contract_user)
        self.assertEqual(index.last_value, 130.5)
        self.assertEqual(index_value(index, date(2021, 8, 1)), 121.2)
        self.assertEqual(
            self.Value.with_user(self.contract_user)._get_values(
                [(self.index.id, date(2023, 8, 1))]
            ),
            {(self.index.id, date(2023, 8, 1)): 130.5},
        )
        with self.assertRaises(AccessError):
            index.name = "Changed"
        with self.assertRaises(AccessError):
            self.Value.with_user(self.contract_user).create(
                {"index_id": self.index.id, "date": "2024-01-01", "value": 131}
            )
        with self.assertRaises(AccessError):
            index.value_ids[0].value = 1.0
        with self.assertRaises(AccessError):
            index.value_ids[0].unlink()
        with self.assertRaises(AccessError):
            self.other.with_user(self.contract_user).action_fetch_insee()
        self.assertEqual(self.index.name, "Test engineering")

    def test_manager_maintains_indices(self):
        Index = self.Index.with_user(self.manager)
        index = Index.create({"name": "Cleaning labour", "code": "T-FSD3"})
        index.value_ids = [(0, 0, {"date": "2024-01-09", "value": 118.4})]
        self.assertEqual(index_value(index, date(2024, 1, 1)), 118.4)
        index.value_ids.value = 118.5
        self.assertEqual(index.last_value, 118.5)
        index.value_ids.unlink()
        index.unlink()

    def test_technician_and_salesperson_do_not_see_indices(self):
        for user in (self.technician, self.salesman):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    self.index.with_user(user).read(["name"])
                with self.assertRaises(AccessError):
                    self.Value.with_user(user).search([])
                with self.assertRaises(AccessError):
                    self.Value.with_user(user)._get_values(
                        [(self.index.id, date(2023, 8, 1))]
                    )


@tagged("post_install", "-at_install")
class TestPriceIndexDemo(TransactionCase):
    """The demo indices carry the values of the issue's worked example."""

    def test_demo_indices_have_monthly_values(self):
        ing = self.env.ref("service_contract.price_index_ing", raise_if_not_found=False)
        if not ing:
            self.skipTest("installed without demo data")
        self.assertEqual(index_value(ing, date(2021, 8, 1)), 121.2)
        self.assertEqual(index_value(ing, date(2023, 8, 1)), 130.5)
        for xmlid in ("price_index_syntec", "price_index_bt01", "price_index_ing"):
            index = self.env.ref(f"service_contract.{xmlid}")
            with self.subTest(index=index.code):
                # The demo's values run from 2021-01 to 2026-10, then on to
                # the month before the day the demo was installed: the same
                # clock as the data (the values' creation), not the day the
                # test runs.
                installed = min(index.value_ids.mapped("create_date")).date()
                last = max(
                    date(2026, 10, 1),
                    installed.replace(day=1) - relativedelta(months=1),
                )
                months = index.value_ids.mapped("date")
                self.assertEqual(min(months), date(2021, 1, 1))
                self.assertEqual(max(months), last)
                count = (last.year - 2021) * 12 + last.month
                self.assertEqual(len(months), count)  # one value a month
                self.assertEqual(len(set(months)), count)
                self.assertTrue(all(v > 0 for v in index.value_ids.mapped("value")))
        self.assertEqual(
            self.env.ref("service_contract.price_index_bt01").idbank, "001710986"
        )


@tagged("post_install", "-at_install")
class TestPriceIndexUi(HttpCase):
    def test_price_index_tour(self):
        index = self.env["service.price.index"].create(
            {
                "name": "Tour index",
                "code": "T-TOUR",
                "value_ids": [(0, 0, {"date": date(2023, 8, 1), "value": 130.5})],
            }
        )
        self.start_tour(
            "/odoo/action-service_contract.service_price_index_action",
            "service_price_index_tour",
            login="admin",
        )
        self.assertEqual(
            index._get_last_value(date(2023, 12, 31)), (date(2023, 9, 1), 131.2)
        )
