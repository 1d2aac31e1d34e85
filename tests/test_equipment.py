from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common import ServiceContractCase


@tagged("post_install", "-at_install")
class TestEquipment(ServiceContractCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.boilers = cls.env["service.equipment.category"].create(
            {"name": "Gas boilers", "regulation": "boiler"}
        )
        cls.boiler = cls.env["service.equipment"].create(
            {
                "name": "Gas boiler",
                "partner_id": cls.customer.id,
                "site_id": cls.site_a.id,
                "category_id": cls.boilers.id,
                "brand": "Saunier Duval",
                "serial_number": "SD-2019-0042",
            }
        )

    def test_display_name_and_count(self):
        self.assertEqual(self.boiler.display_name, "Gas boiler (SD-2019-0042)")
        self.assertEqual(self.boilers.equipment_count, 1)

    def test_site_of_another_customer_is_refused(self):
        other = self.env["res.partner"].create({"name": "Other", "is_company": True})
        self.assertRefused(
            ValidationError,
            "does not belong to the customer",
            self.boiler.write,
            {"partner_id": other.id},
        )
        self.assertEqual(self.boiler.partner_id, self.customer)

    def test_serial_number_is_unique_per_category(self):
        self.assertFalse(self.boiler.copy().serial_number)
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(IntegrityError),
            self.env.cr.savepoint(),
        ):
            self.boiler.copy({"serial_number": "SD-2019-0042"})
            self.env.flush_all()

    def test_portal_sees_only_its_own_equipment(self):
        portal = new_test_user(
            self.env,
            login="sc_equipment_portal",
            groups="base.group_portal",
            partner_id=self.env["res.partner"]
            .create({"name": "Paul Portal", "parent_id": self.customer.id})
            .id,
        )
        other = self.env["service.equipment"].create(
            {
                "name": "Other boiler",
                "partner_id": self.signatory.create(
                    {"name": "Elsewhere", "is_company": True}
                ).id,
            }
        )
        self.assertEqual(
            self.env["service.equipment"].with_user(portal).search([]), self.boiler
        )
        with self.assertRaises(AccessError):
            other.with_user(portal).read(["name"])
        with self.assertRaises(AccessError):
            self.boiler.with_user(portal).write({"name": "Mine"})
