from datetime import date

from odoo.tests import tagged

from ..models.sql_batch import insert_rows, update_rows
from .common import ServiceContractCase


@tagged("post_install", "-at_install")
class TestSqlBatch(ServiceContractCase):
    """The set-based writes leave the ORM as ``create`` and ``write`` would:
    defaults, access columns, cache, and the fields computed from what was
    written."""

    def test_update_rows_lets_the_orm_recompute_what_depends(self):
        contract = self._create_contract()
        line = contract.line_ids[0]
        self.assertEqual(line.price_subtotal, 360.0)  # 2 x 180.00, in cache
        self.assertEqual(contract.amount_untaxed, 420.0)
        update_rows(line, ["price_unit"], [(line.id, 200.0)])
        # Not written here: computed again by the ORM from the new price.
        self.assertEqual(line.price_unit, 200.0)
        self.assertEqual(line.price_subtotal, 400.0)
        self.assertEqual(contract.amount_untaxed, 460.0)
        self.assertEqual(line.write_uid, self.env.user)
        self.env.invalidate_all()
        self.assertEqual(contract.amount_untaxed, 460.0)

    def test_update_rows_keeps_the_values_it_writes(self):
        contract = self._create_contract()
        line = contract.line_ids[0]
        # Written together, the subtotal is not computed again.
        update_rows(line, ["price_unit", "price_subtotal"], [(line.id, 200.0, 1.0)])
        self.assertEqual(line.price_subtotal, 1.0)
        self.assertEqual(contract.amount_untaxed, 61.0)

    def test_insert_rows_defaults_access_columns_and_order(self):
        contracts = self._create_running_contract()
        contracts |= self._create_running_contract()
        user = self.env.user
        revisions = insert_rows(
            self.env["service.contract.revision"],
            [
                {
                    "contract_id": contract.id,
                    "date": date(2025, 3, 1),
                    "coefficient": coefficient,
                }
                for contract, coefficient in zip(contracts, (1.1, 1.2), strict=True)
            ],
        )
        self.assertEqual(revisions.contract_id, contracts)
        self.assertEqual(revisions.mapped("coefficient"), [1.1, 1.2])
        self.assertEqual(revisions.mapped("kind"), ["index", "index"])  # defaults
        self.assertEqual(revisions.user_id, user)
        self.assertEqual(revisions.create_uid, user)
        self.assertTrue(all(revisions.mapped("create_date")))
        # A stored computed field left out is computed by the ORM.
        self.assertEqual(revisions.company_id, self.company)
        # The contracts see their new revisions.
        self.assertEqual(contracts[0].revision_ids, revisions[0])
        self.assertEqual(contracts.mapped("revision_count"), [1, 1])

    def test_insert_rows_ignores_the_defaults_of_the_context(self):
        """A list opened from a customer carries default_partner_id: the
        rows a batch inserts take the fields' own defaults, not those."""
        contract = self._create_running_contract()
        Revision = self.env["service.contract.revision"].with_context(
            default_partner_id=self.customer.id, default_kind="percentage"
        )
        revision = insert_rows(
            Revision, [{"contract_id": contract.id, "date": date(2025, 3, 1)}]
        )
        self.assertEqual(revision.kind, "index")

    def test_rows_must_give_the_same_fields(self):
        contract = self._create_running_contract()
        with self.assertRaises(ValueError):
            insert_rows(
                self.env["service.contract.revision"],
                [
                    {"contract_id": contract.id, "date": date(2025, 3, 1)},
                    {"contract_id": contract.id},
                ],
            )
