import re
from datetime import datetime, timedelta
from unittest.mock import patch

from dateutil.relativedelta import relativedelta

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import config, mute_logger
from odoo.tools.misc import format_date

from ..models.service_lifecycle_guard import lifecycle_write
from .common import create_contract

NEUTRAL = "If a contract matches the reference and the contact details you gave"
ACK_MODEL = "service.contract.termination.request"
DONE_ALERT = r'<div class="alert alert-success o_online_termination_done".*?</div>'


@tagged("post_install", "-at_install")
class TestOnlineTermination(HttpCase):
    """Consumers end their contracts online, without an account (Code de la
    consommation, L215-1-1). Each contract runs 1 year, renewed tacitly for
    1 year, with 2 months' notice."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param(
            "service_contract.termination_max_attempts", "50"
        )
        cls.today = cls.env.company._service_today()
        Partner = cls.env["res.partner"]
        cls.consumer, cls.other_consumer, cls.business = Partner.create(
            [
                {
                    "name": "Claire Conso",
                    "email": "claire.conso@example.com",
                    "street": "12, rue des Lilas",
                    "zip": "74000",
                    "city": "Annecy",
                    "lang": "en_US",
                },
                {
                    "name": "Victor Voisin",
                    "email": "victor.voisin@example.com",
                    "lang": "en_US",
                },
                {
                    "name": "SC Term Business",
                    "is_company": True,
                    "email": "pro@example.com",
                },
            ]
        )
        cls.template = cls.env["service.contract.template"].create(
            {
                "name": "SC Term Boiler Maintenance",
                "duration": 1,
                "duration_unit": "year",
                "renewal_type": "tacit",
                "renewal_duration": 1,
                "renewal_unit": "year",
                "notice_period": 2,
                "notice_unit": "month",
                "line_ids": [
                    Command.create({"name": "Yearly service", "price_unit": 150.0})
                ],
            }
        )
        cls.responsible = new_test_user(
            cls.env,
            login="sc_term_responsible",
            groups="service_contract.group_service_contract_user",
        )
        start = cls.today - timedelta(days=30)
        cls.on_time = cls._running(cls.consumer, start)
        cls.chatel = cls._running(cls.consumer, start)
        with lifecycle_write():
            cls.chatel.chatel_terminable = True
        # The notice deadline of this one passed a month ago.
        cls.late = cls._running(cls.consumer, cls.today - relativedelta(months=11))
        cls.pro = cls._running(cls.business, start)

    @classmethod
    def _running(cls, partner, start):
        return create_contract(
            cls.env,
            partner,
            template=cls.template,
            date_start=start,
            user_id=cls.responsible.id,
            sign=True,
        )

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _csrf_token(self):
        page = self.url_open("/contract/terminate")
        self.assertEqual(page.status_code, 200)
        return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)

    def _post(self, step, contract=None, csrf=True, **values):
        data = {
            "name": "Claire Conso",
            "email": "claire.conso@example.com",
            "street": "",
            "zip": "",
            "reference": contract.name if contract else "",
            "date": (self.today + timedelta(days=20)).isoformat(),
            "reason": "",
        }
        if csrf:
            data["csrf_token"] = self._csrf_token()
        data.update(values)
        return self.url_open(f"/contract/terminate/{step}", data=data)

    def _confirm(self, contract=None, **values):
        response = self._post("confirm", contract, **values)
        self.assertEqual(response.status_code, 200)
        self.assertIn(NEUTRAL, response.text)
        self.env.invalidate_all()
        return response

    def _acks(self):
        return self.env["mail.mail"].search([("model", "=", ACK_MODEL)])

    def _activities(self, contract):
        return contract.activity_ids.filtered(
            lambda a: a.summary == "Online termination request"
        )

    def _date(self, day):
        return format_date(self.env, day, lang_code="en_US")

    def _state(self, contracts):
        self.env.invalidate_all()
        return [
            (
                c.state,
                c.notice_date,
                c.notice_by,
                c.date_termination,
                c.date_effective_end,
                len(c.message_ids),
                len(c.activity_ids),
            )
            for c in contracts
        ]

    # ------------------------------------------------------------------
    # Tests
    # ------------------------------------------------------------------

    def test_links_to_the_form(self):
        self.assertEqual(self.consumer.legal_category, "consumer")
        self.assertEqual(self.business.legal_category, "professional")
        page = self.url_open("/contract/terminate")
        self.assertIn("Terminate your contract", page.text)
        self.assertIn('href="/contract/terminate"', page.text, "footer link")
        for field in ("name", "email", "street", "zip", "reference", "date"):
            self.assertIn(f'name="{field}"', page.text)
        # The portal home of a customer, and the page of a consumer contract.
        portal_user = new_test_user(
            self.env,
            login="sc_term_portal",
            password="sc_term_portal",
            groups="base.group_portal",
            partner_id=self.consumer.id,
        )
        self.authenticate(portal_user.login, "sc_term_portal")
        home = self.url_open("/my/home")
        self.assertEqual(home.status_code, 200)
        self.assertIn('href="/contract/terminate"', home.text)
        page = self.url_open(self.on_time.get_portal_url())
        self.assertEqual(page.status_code, 200)
        self.assertIn(
            f"/contract/terminate?reference={self.on_time.name.replace('/', '%2F')}",
            page.text,
        )
        # Not on the page of a business customer's contract.
        self.authenticate(None, None)
        page = self.url_open(self.pro.get_portal_url())
        self.assertEqual(page.status_code, 200)
        self.assertIn(self.pro.name, page.text)
        self.assertNotIn("/contract/terminate?reference=", page.text)
        # Prefilled reference.
        self.authenticate(None, None)
        page = self.url_open(f"/contract/terminate?reference={self.on_time.name}")
        self.assertIn(f'value="{self.on_time.name}"', page.text)

    def test_summary_is_shown_before_anything_is_recorded(self):
        before = self._state(self.on_time)
        response = self._post("summary", self.on_time, reason="Moving out")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Please check your request before you confirm it.", response.text)
        self.assertIn(self.on_time.name, response.text)
        self.assertIn("Moving out", response.text)
        self.assertIn('action="/contract/terminate/confirm"', response.text)
        self.assertIn('name="csrf_token"', response.text)
        self.assertEqual(self._state(self.on_time), before)
        self.assertFalse(self.env[ACK_MODEL].search([]))
        self.assertFalse(self._acks())
        # Missing data: the form again, with the errors.
        response = self._post("summary", self.on_time, email="", date="")
        self.assertIn("Enter your email address, or your street and zip", response.text)
        self.assertIn("Enter the date you want the contract to end.", response.text)
        self.assertNotIn("Please check your request", response.text)

    def test_chatel_contract_ends_on_the_requested_date(self):
        desired = self.today + timedelta(days=20)
        self._confirm(self.chatel, date=desired.isoformat(), reason="Moving out")
        contract = self.chatel
        self.assertEqual(contract.date_termination, desired)
        self.assertEqual(contract.termination_type, "online")
        self.assertEqual(contract.termination_reason, "Moving out")
        self.assertEqual(contract.date_effective_end, desired)
        self.assertEqual(contract.state, "running")
        request = self.env[ACK_MODEL].search([("contract_id", "=", contract.id)])
        self.assertRecordValues(
            request,
            [
                {
                    "end_rule": "chatel",
                    "date_end": desired,
                    "state": "done",
                    "partner_id": self.consumer.id,
                }
            ],
        )
        activity = self._activities(contract)
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.responsible)
        ack = self._acks()
        self.assertEqual(len(ack), 1)
        self.assertEqual(ack.recipient_ids, self.consumer)
        self.assertIn(self._date(desired), ack.body_html)
        self.assertIn("at any time", ack.body_html)
        self.assertIn(
            "Acknowledgment of the online termination request",
            str(contract.message_ids.mapped("body")),
        )

    def test_chatel_request_in_the_past_ends_today(self):
        self._confirm(self.chatel, date=(self.today - timedelta(days=5)).isoformat())
        self.assertEqual(self.chatel.date_termination, self.today)

    def test_chatel_request_after_the_term_ends_at_the_term(self):
        end = self.chatel.date_end
        self._confirm(self.chatel, date=(end + timedelta(days=40)).isoformat())
        self.assertFalse(self.chatel.date_termination)
        self.assertEqual(self.chatel.notice_by, "online")
        self.assertEqual(self.chatel.date_effective_end, end)
        self.assertIn(self._date(end), self._acks().body_html)

    def test_second_request_changes_nothing_more(self):
        self._confirm(self.on_time)
        before = self.on_time.notice_date, self.on_time.date_effective_end
        self._confirm(self.on_time, date=(self.today + timedelta(days=3)).isoformat())
        self.assertEqual(
            (self.on_time.notice_date, self.on_time.date_effective_end), before
        )
        requests = self.env[ACK_MODEL].search([("contract_id", "=", self.on_time.id)])
        self.assertEqual(requests.mapped("end_rule"), ["already", "term"])
        self.assertIn("already recorded", self._acks()[0].body_html)

    def test_contract_without_chatel_ends_at_the_end_of_term(self):
        contract = self.on_time
        end = contract.date_end
        self.assertGreater(end, self.today + timedelta(days=20))
        self._confirm(contract)
        self.assertEqual(contract.notice_date, self.today)
        self.assertEqual(contract.notice_by, "online")
        self.assertFalse(contract.date_termination)
        self.assertEqual(contract.date_effective_end, end)
        self.assertEqual(len(self._activities(contract)), 1)
        ack = self._acks()
        self.assertEqual(len(ack), 1)
        self.assertIn(self._date(end), ack.body_html)
        self.assertIn("ends at the end of its current term", ack.body_html)
        self.assertIn(contract.name, ack.subject)

    def test_late_request_ends_at_the_end_of_the_next_term(self):
        contract = self.late
        end = contract.date_end
        self.assertLess(contract.notice_deadline, self.today)
        self._confirm(contract)
        next_end = end + relativedelta(years=1)
        self.assertFalse(contract.notice_date, "recorded at the renewal")
        request = self.env[ACK_MODEL].search([("contract_id", "=", contract.id)])
        self.assertRecordValues(
            request,
            [{"end_rule": "next_term", "date_end": next_end, "state": "pending"}],
        )
        ack = self._acks()
        self.assertIn(self._date(next_end), ack.body_html)
        self.assertIn("renewed once more", ack.body_html)
        # At the renewal, the request becomes the notice of the new term.
        contract._process_terms(end + timedelta(days=1))
        self.assertEqual(contract.date_end, next_end)
        self.assertEqual(contract.notice_by, "online")
        self.assertEqual(contract.date_effective_end, next_end)
        self.assertEqual(request.state, "done")

    def test_postal_address_instead_of_email(self):
        self._confirm(self.on_time, email="", street="12 Rue des Lilas", zip=" 74000 ")
        self.assertEqual(self.on_time.notice_by, "online")
        # Acknowledged to the customer's own address, not to one typed in.
        self.assertEqual(self._acks().recipient_ids, self.consumer)

    def test_wrong_reference_or_email_gets_the_neutral_answer(self):
        contracts = self.on_time | self.chatel | self.late | self.pro
        before = self._state(contracts)
        mails_before = self.env["mail.mail"].search_count([])
        answers = []
        for contract, values in (
            (None, {"reference": "SC/9999/99999"}),
            (self.on_time, {"email": "victor.voisin@example.com"}),
            (self.on_time, {"email": "", "street": "1 rue Fausse", "zip": "74000"}),
            (self.chatel, {"reference": self.chatel.name + "%"}),
            # A business customer's contract, with its right email.
            (self.pro, {"email": "pro@example.com"}),
        ):
            response = self._confirm(contract, **values)
            answers.append(re.search(DONE_ALERT, response.text, re.S).group(0))
        self.assertEqual(len(set(answers)), 1, "the same answer every time")
        self.assertEqual(self._state(contracts), before)
        self.assertFalse(self.env[ACK_MODEL].search([]))
        self.assertEqual(self.env["mail.mail"].search_count([]), mails_before)

    @mute_logger("odoo.http")
    def test_csrf_token_is_required(self):
        before = self._state(self.chatel)
        response = self._post("confirm", self.chatel, csrf=False)
        self.assertEqual(response.status_code, 400)
        response = self._post("confirm", self.chatel, csrf_token="forged")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self._state(self.chatel), before)
        self.assertFalse(self.env[ACK_MODEL].search([]))

    def _from(self, address):
        """Requests sent from ``address``, as the reverse proxy in front of
        Odoo (proxy mode) tells it."""
        host = self.base_url().split("//", 1)[1]
        self.opener.headers.update(
            {"X-Forwarded-For": address, "X-Forwarded-Host": host}
        )

    def _confirmed_from(self, address, contract=None, **values):
        self._from(address)
        response = self._confirm(contract, **values)
        return re.search(DONE_ALERT, response.text, re.S).group(0)

    def test_rate_limit(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "service_contract.termination_max_attempts", "3"
        )
        for index in range(3):
            self._confirm(reference=f"SC/0000/{index}")
        # Refused silently: the same neutral answer, nothing recorded.
        before = self._state(self.chatel)
        response = self._confirm(self.chatel)
        self.assertNotIn("Too many requests", response.text)
        self.assertEqual(self._state(self.chatel), before)
        self.assertFalse(self.env[ACK_MODEL].search([]))
        Attempt = self.env["service.contract.termination.attempt"]
        # A requester's attempts count from its own address only.
        results = [
            Attempt._register_attempt("10.0.0.1", f"SC/2026/{index}", "jeanne@x")
            for index in range(4)
        ]
        self.assertEqual(results, [True, True, True, False])
        self.assertTrue(Attempt._register_attempt("10.0.0.2", "SC/2026/9", "jeanne@x"))
        # One reference from one address, whoever is typed in.
        results = [
            Attempt._register_attempt("10.1.0.1", "SC/2026/LIMIT", f"{index}@x")
            for index in range(4)
        ]
        self.assertEqual(results, [True, True, True, False])
        self.assertTrue(Attempt._register_attempt("10.1.0.2", "SC/2026/LIMIT", "4@x"))
        # A whole IPv6 /64 counts as one address; refused attempts are not
        # logged, so they do not prolong the lock.
        results = [
            Attempt._register_attempt(f"2001:db8::{index}", f"V6/{index}", "v@x")
            for index in range(5)
        ]
        self.assertEqual(results, [True, True, True, False, False])
        key = Attempt._hash("identity", "2001:db8::/64|v@x")
        self.assertEqual(Attempt.search_count([("key_hash", "=", key)]), 3)
        # An hour later, the requester can try again.
        Attempt.search([]).attempted_at = datetime.now() - timedelta(hours=2)
        self._confirm(self.chatel)
        self.assertTrue(self.chatel.date_termination)

    @patch.dict(config.options, {"proxy_mode": True})
    def test_a_stranger_cannot_lock_the_customer_out(self):
        """A stranger floods the form with Claire's email and made-up
        references, and with the reference of her contract and made-up
        details, from three addresses: Claire, from her own address, still
        ends her contract, and the stranger's flood is refused with the
        answer everybody gets."""
        self.env["ir.config_parameter"].sudo().set_param(
            "service_contract.termination_max_attempts", "5"
        )
        contract = self.on_time
        before = self._state(contract)
        answers = set()
        for host in (1, 2, 3):
            address = f"203.0.113.{host}"
            for index in range(6):
                answers.add(
                    self._confirmed_from(address, reference=f"SC/2026/{host}{index}")
                )
                answers.add(
                    self._confirmed_from(
                        address, contract, email=f"someone{index}@example.com"
                    )
                )
            # Beyond its limit, even the right guess is refused, silently.
            answers.add(self._confirmed_from(address, contract))
        self.assertEqual(len(answers), 1, "the same answer every time")
        self.assertEqual(self._state(contract), before)
        self.assertFalse(self.env[ACK_MODEL].search([]))
        # Claire, from home.
        answers.add(self._confirmed_from("198.51.100.7", contract))
        self.assertEqual(len(answers), 1)
        self.assertEqual(contract.notice_by, "online")
        self.assertEqual(contract.notice_date, self.today)
        request = self.env[ACK_MODEL].search([("contract_id", "=", contract.id)])
        self.assertEqual(request.partner_id, self.consumer)
        self.assertEqual(len(self._acks()), 1)

    def test_address_variants_count_as_one_requester(self):
        """From one address, guessing references with the customer's street
        written in several ways counts as one requester, as the request is
        matched: past the limit, the right reference is refused too."""
        self.env["ir.config_parameter"].sudo().set_param(
            "service_contract.termination_max_attempts", "3"
        )
        contract = self.on_time
        before = self._state(contract)
        variants = ("12, rue des Lilas", "12 RUE DES LILAS.", "12 rue  des-Lilas")
        for index, street in enumerate(variants):
            self._confirmed_from(
                "192.0.2.9",
                reference=f"SC/2026/9{index}",
                email="",
                street=street,
                zip=" 74 000",
            )
        self._confirmed_from(
            "192.0.2.9", contract, email="", street="12,rue des lilas", zip="74000"
        )
        self.assertEqual(self._state(contract), before)
        self.assertFalse(self.env[ACK_MODEL].search([]))

    def test_old_attempts_are_purged(self):
        Attempt = self.env["service.contract.termination.attempt"]
        Attempt._register_attempt("10.0.0.1", "SC/1", "a@example.com")
        old = Attempt.search([])
        self.assertEqual(len(old), 2)
        self.assertNotIn("10.0.0.1", old.mapped("key_hash"))
        Attempt._register_attempt("10.0.0.2", "SC/2", "b@example.com")
        old.attempted_at = datetime.now() - timedelta(days=3)
        self.assertEqual(Attempt._cron_purge_termination_attempts(), 2)
        self.assertEqual(len(Attempt.search([])), 2)

    def test_honeypot(self):
        before = self._state(self.chatel)
        self._confirm(self.chatel, homepage="http://spam.example.com")
        self.assertEqual(self._state(self.chatel), before)
        self.assertFalse(self._acks())

    def test_injection_is_escaped(self):
        script = '<script>alert("sc")</script>'
        response = self._post(
            "summary", self.chatel, name=script, reason="<img src=x onerror=alert(1)>"
        )
        self.assertNotIn(script, response.text)
        self.assertIn("&lt;script&gt;", response.text)
        self.assertNotIn("<img src=x", response.text)
        # SQL or domain tricks in the reference match nothing.
        before = self._state(self.chatel | self.on_time)
        for reference in ("' OR 1=1 --", "%", "SC/%", "_"):
            self._confirm(reference=reference)
        self.assertEqual(self._state(self.chatel | self.on_time), before)
        # Recorded text stays text in the chatter and the activity.
        self._confirm(self.chatel, name=script, reason="<img src=x onerror=alert(1)>")
        activity = self._activities(self.chatel)
        self.assertNotIn("<img", str(activity.note))
        self.assertIn("&lt;img", str(activity.note))
        self.assertIn("&lt;script&gt;", str(activity.note))
        for body in self.chatel.message_ids.mapped("body"):
            self.assertNotIn("<img", str(body))
