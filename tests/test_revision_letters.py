from datetime import date
from unittest.mock import patch

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common import PriceRevisionCase

REVISED_ON = date(2023, 9, 1)


@tagged("post_install", "-at_install")
class TestRevisionLetters(PriceRevisionCase):
    """The letter of a price revision is queued by the revision and sent in
    a separate batched step: by email, or by post when the customer has no
    email address."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Contract = cls.env["service.contract"]
        cls.no_email = cls.partner_b
        cls.no_email.email = False
        cls.responsible = new_test_user(
            cls.env,
            login="sc_letter_responsible",
            groups="service_contract.group_service_contract_user",
            email="responsible@example.com",
        )
        cls.technician = new_test_user(
            cls.env,
            login="sc_letter_technician",
            groups="service_contract.group_service_contract_user",
        )

    def _revised(self, partner=None):
        contract = self._contract(
            **({"partner_id": partner.id} if partner else {}),
            user_id=self.responsible.id,
        )
        self.assertEqual(self._revise(REVISED_ON), 1)
        return contract, contract.revision_ids

    def _send(self):
        return self.Contract._cron_send_revision_letters(today=REVISED_ON)

    def _letters(self, contract):
        return contract.message_ids.filtered(
            lambda m: m.subject and "prices revised" in m.subject
        )

    def test_letter_queued_then_sent_by_email(self):
        contract, revision = self._revised()
        # The revision sends nothing itself: the letter waits, the scheduled
        # action of the letters is triggered.
        self.assertEqual(revision.letter_state, "to_send")
        self.assertFalse(self._letters(contract))
        cron = self.env.ref("service_contract.ir_cron_send_revision_letters")
        self.assertTrue(
            self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]),
        )
        self.assertEqual(self._send(), 1)
        self.assertEqual(revision.letter_state, "sent")
        self.assertEqual(revision.letter_date, REVISED_ON)
        letter = self._letters(contract)
        self.assertEqual(len(letter), 1)
        self.assertIn(self.customer, letter.partner_ids)
        self.assertEqual(len(letter.attachment_ids), 1)
        self.assertIn("1.065223", letter.body)
        # Twice: once.
        self.assertEqual(self._send(), 0)
        self.assertEqual(len(self._letters(contract)), 1)

    def test_no_letter_when_not_needed(self):
        contract = self._contract()
        proposals = contract._get_revision_proposals()
        revision = contract._apply_revisions(proposals, send_letters=False)
        self.assertEqual(revision.letter_state, "none")
        self.assertEqual(self._send(), 0)
        self.assertFalse(self._letters(contract))

    def test_customer_without_email_gets_the_letter_by_post(self):
        contract, revision = self._revised(self.no_email)
        self.assertEqual(self._send(), 1)
        self.assertEqual(revision.letter_state, "post")
        self.assertFalse(revision.letter_date)
        # No email, the letter's PDF on the revision, an activity for the
        # responsible of the contract with the letter attached.
        self.assertFalse(self._letters(contract))
        attachment = revision.letter_attachment_id
        self.assertEqual(
            (attachment.res_model, attachment.res_id),
            ("service.contract.revision", revision.id),
        )
        self.assertTrue(attachment.raw)
        activity = contract.activity_ids.filtered(
            lambda a: a.summary == "Send the revision letter by post"
        )
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity, revision.letter_activity_id)
        self.assertEqual(activity.user_id, self.responsible)
        self.assertEqual(activity.attachment_ids, attachment)
        self.assertIn(self.no_email.name, activity.note)
        # Not sent a second time.
        self.assertEqual(self._send(), 0)
        # The responsible marks the activity done: the letter is posted.
        activity.with_user(self.responsible).action_done()
        self.assertEqual(revision.letter_state, "sent")
        self.assertEqual(revision.letter_date, self.company._service_today())
        self.assertIn(
            "sent by post", " ".join(contract.message_ids.mapped("body")).lower()
        )

    def test_letter_sent_by_post_button(self):
        contract, revision = self._revised(self.no_email)
        self._send()
        # Neither a user who is not responsible of the contract...
        with self.assertRaises(AccessError):
            revision.with_user(self.technician).action_letter_sent_by_post()
        self.assertEqual(revision.letter_state, "post")
        # ...but the responsible.
        revision.with_user(self.responsible).action_letter_sent_by_post()
        self.assertEqual(revision.letter_state, "sent")
        self.assertFalse(
            contract.activity_ids.filtered(
                lambda a: a.summary == "Send the revision letter by post"
            )
        )
        # Twice: refused, nothing changed.
        with self.assertRaisesRegex(UserError, "not waiting to be posted"):
            revision.action_letter_sent_by_post()
        self.assertEqual(revision.letter_state, "sent")

    def test_send_letters_button(self):
        contract, revision = self._revised()
        with self.assertRaises(AccessError):
            revision.with_user(self.responsible).action_send_letters()
        self.assertEqual(revision.letter_state, "to_send")
        revision.action_send_letters()
        self.assertEqual(revision.letter_state, "sent")
        self.assertEqual(len(self._letters(contract)), 1)
        with self.assertRaisesRegex(UserError, "no letter to send|has a letter"):
            revision.action_send_letters()
        self.assertEqual(len(self._letters(contract)), 1)

    def test_a_failing_letter_does_not_block_the_others(self):
        good = self._contract(user_id=self.responsible.id)
        broken = self._contract(user_id=self.responsible.id)
        self.assertEqual(self._revise(REVISED_ON), 2)
        Revision = type(self.env["service.contract.revision"])
        original = Revision._send_letters_by_email

        def send(revisions, today=None):
            if revisions.contract_id & broken:
                raise ValueError("broken data")
            return original(revisions, today)

        with (
            patch.object(Revision, "_send_letters_by_email", send),
            mute_logger("odoo.addons.service_contract.models.service_contract_cron"),
        ):
            self.assertEqual(self._send(), 1)
        self.assertEqual(good.revision_ids.letter_state, "sent")
        self.assertEqual(len(self._letters(good)), 1)
        self.assertEqual(broken.revision_ids.letter_state, "to_send")
        self.assertFalse(self._letters(broken))
        failure = broken.activity_ids.filtered(
            lambda a: a.summary == "Price revision letter failed"
        )
        self.assertEqual(len(failure), 1)
        self.assertIn("broken data", failure.note)
        self.assertFalse(good.activity_ids)
        # Repaired, the next run sends it.
        self.assertEqual(self._send(), 1)
        self.assertEqual(broken.revision_ids.letter_state, "sent")

    def test_letter_content(self):
        contract, revision = self._revised()
        report = self.env.ref("service_contract.action_report_contract_revision")
        html, _type = self.env["ir.actions.report"]._render_qweb_html(
            report, revision.ids
        )
        html = html.decode()
        # The new coefficient, the former and new prices, the formula with
        # the actual values, the date.
        self.assertIn("1.065223", html)
        self.assertIn("1,200.00", html)
        self.assertIn("1,278.27", html)
        self.assertIn("P = P0 × (0.15 + 0.85 × ENG / ENG0)", html)
        self.assertIn("I0 = 121.2 (2021-08), I = 130.5 (2023-08)", html)
        self.assertIn("0.15 + 0.85 × 130.5 / 121.2", html)
        self.assertIn("09/01/2023", html)
        self.assertIn(contract.name, html)
