from datetime import date

from odoo import Command
from odoo.tests import new_test_user

from .common import ServiceContractCase

# The items of a gas boiler's yearly service, by key.
BOILER_CHECKLIST_ITEMS = {
    "burner": {"name": "Burner cleaned", "required": True},
    "efficiency": {
        "name": "Efficiency",
        "kind": "measure",
        "unit": "%",
        "min_value": 85.0,
        "max_value": 110.0,
        "required": True,
        "certificate_field": "efficiency",
    },
    "co": {
        "name": "Carbon monoxide",
        "kind": "measure",
        "unit": "ppm",
        "min_value": 0.0,
        "max_value": 50.0,
        "required": True,
        "certificate_field": "co",
    },
    "emission_class": {
        "name": "NOx emission class",
        "kind": "choice",
        "choice_options": "1, 2, 3, 4, 5, 6",
        "certificate_field": "emission_class",
    },
    "advice": {
        "name": "Advice to the customer",
        "kind": "text",
        "certificate_field": "advice",
    },
    "photo": {"name": "Burner photo", "kind": "photo"},
}


def boiler_checklist_items(*keys):
    """Commands creating the items ``keys`` of BOILER_CHECKLIST_ITEMS, in
    this order."""
    return [
        Command.create({"sequence": sequence, **BOILER_CHECKLIST_ITEMS[key]})
        for sequence, key in enumerate(keys, 1)
    ]


class ChecklistCase(ServiceContractCase):
    """A boiler with its checklist (efficiency, CO...) on a visit of a
    technician; a contract responsible; another technician."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "company_registry": "123 456 789 00011",
                "vat": "FR40123456789",
                "street": "5 rue des Chauffagistes",
                "city": "Lyon",
            }
        )
        cls.responsible = new_test_user(
            cls.env,
            login="sc_check_responsible",
            name="Rose Responsible",
            groups="base.group_user,service_contract.group_service_contract_user",
        )
        cls.technician = new_test_user(
            cls.env,
            login="sc_check_tech",
            name="Théo Technician",
            groups="base.group_user,service_contract.group_service_contract_technician",
        )
        cls.other_technician = new_test_user(
            cls.env,
            login="sc_check_other_tech",
            name="Otto Technician",
            groups="base.group_user,service_contract.group_service_contract_technician",
        )
        cls.boiler_template = cls.env["service.checklist.template"].create(
            {
                "name": "Gas boiler yearly service",
                "item_ids": boiler_checklist_items(
                    "burner", "efficiency", "co", "emission_class", "advice", "photo"
                ),
            }
        )
        cls.boilers = cls.env["service.equipment.category"].create(
            {
                "name": "Gas boilers",
                "regulation": "boiler",
                "checklist_template_id": cls.boiler_template.id,
            }
        )
        cls.boiler = cls.env["service.equipment"].create(
            {
                "name": "Gas boiler",
                "partner_id": cls.customer.id,
                "site_id": cls.site_a.id,
                "category_id": cls.boilers.id,
                "brand": "Saunier Duval",
                "model_name": "ThemaPlus Condens",
                "serial_number": "SD-2019-0042",
            }
        )
        cls.contract = cls._create_running_contract(
            user_id=cls.responsible.id,
            site_ids=[Command.set((cls.site_a | cls.site_b).ids)],
        )
        cls.visit = cls._create_visit(cls.technician, cls.boiler)

    @classmethod
    def _create_visit(cls, technician, equipment, **values):
        return cls.env["service.intervention"].create(
            {
                "contract_id": cls.contract.id,
                "kind": "preventive",
                "description": "Yearly boiler service",
                "date_due": date(2026, 10, 1),
                "site_id": equipment.site_id.id,
                "user_id": technician.id,
                "equipment_ids": [Command.set(equipment.ids)],
                **values,
            }
        )

    def _line(self, visit, name):
        return visit.checklist_line_ids.filtered(lambda line: line.name == name)

    def _fill(self, visit, user=None, co=30.0):
        """Answer every item of the visit's checklist, as ``user``."""
        values = {
            "Burner cleaned": {"value_bool": True},
            "Efficiency": {"value_float": 92.5},
            "Carbon monoxide": {"value_float": co},
            "NOx emission class": {"value_choice": "4"},
            "Advice to the customer": {
                "value_text": "Bleed the radiators before winter; consider a "
                "smart thermostat."
            },
        }
        for name, vals in values.items():
            line = self._line(visit, name)
            (line.with_user(user) if user else line).write(vals)
