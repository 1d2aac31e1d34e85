from datetime import date

from odoo import Command
from odoo.tests import new_test_user

from .common import ServiceContractCase


class RevisionUiCase(ServiceContractCase):
    """The engineering index of the worked example (I0 = 121.2 for August
    2021, 130.5 for August 2023), contracts of 1,200.00 a year revised on
    2023-09-01 by P = P0 × (0.15 + 0.85 × ING/ING0), a manager and a
    contract user."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The demo data may hold an engineering index coded ING already.
        cls.env["service.price.index"].with_context(active_test=False).search(
            [("code", "=", "ING")]
        ).code = "ING-DEMO"
        cls.env.flush_all()
        cls.index = cls.env["service.price.index"].create(
            {
                "name": "Engineering index",
                "code": "ING",
                "value_ids": [
                    Command.create({"date": date(2021, 8, 1), "value": 121.2}),
                    Command.create({"date": date(2022, 8, 1), "value": 125.0}),
                    Command.create({"date": date(2023, 8, 1), "value": 130.5}),
                ],
            }
        )
        # An index whose value of August 2023 is not published yet.
        cls.late_index = cls.env["service.price.index"].create(
            {
                "name": "Late index",
                "code": "LATE",
                "value_ids": [
                    Command.create({"date": date(2021, 8, 1), "value": 100.0}),
                ],
            }
        )
        cls.manager = new_test_user(
            cls.env,
            login="sc_revision_manager",
            groups="base.group_user,service_contract.group_service_contract_manager",
        )
        cls.contract_user = new_test_user(
            cls.env,
            login="sc_revision_user",
            groups="base.group_user,service_contract.group_service_contract_user",
        )

    @classmethod
    def _create_revised_contract(cls, index=None, price=1200.0, **values):
        """A running yearly contract of ``price`` a year from 2022-09-01, for
        two years, with the clause of the worked example on ``index``."""
        vals = {
            "template_id": False,
            "date_start": date(2022, 9, 1),
            "duration": 2,
            "duration_unit": "year",
            "renewal_type": "none",
            "renewal_duration": 1,
            "renewal_unit": "year",
            "notice_period": 0,
            "notice_unit": "month",
            "invoicing_frequency": "year",
            "invoicing_mode": "advance",
            "line_ids": [
                Command.create({"name": "Lift maintenance", "price_unit": price})
            ],
            "revision_fixed_part": 0.15,
            "revision_term_ids": [
                Command.create({"index_id": (index or cls.index).id, "weight": 0.85})
            ],
            "revision_base_date": date(2021, 8, 1),
            "revision_index_rule": "same_month",
        }
        vals.update(values)
        contract = cls._create_contract(**vals)
        contract.action_sign(date_signed=date(2022, 8, 20))
        return contract
