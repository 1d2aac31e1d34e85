from odoo.tests import tagged
from odoo.tests.common import JsonRpcException

from .common import PortalCase, RpcMixin
from .test_collection import demo_provider, demo_token


@tagged("post_install", "-at_install")
class TestCollectionPortal(RpcMixin, PortalCase):
    """A portal customer chooses how their running contract is paid: one of
    their own saved payment methods, or a new one saved with payment_demo;
    never another customer's."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.provider = demo_provider(
            cls.env, cls.env.company, cls.company_data["default_journal_bank"]
        )
        cls.own_token = demo_token(
            cls.env, cls.provider, cls.portal_user.partner_id, "done"
        )
        cls.other_token = demo_token(cls.env, cls.provider, cls.other_customer, "done")
        cls.url = f"/my/contracts/{cls.running.id}/payment_method"

    def setUp(self):
        super().setUp()
        self.authenticate(self.portal_user.login, self.portal_user.login)
        self._rpc_login = self.portal_user.login

    def test_contract_page_offers_the_payment_method(self):
        page = self._get(f"/my/contracts/{self.running.id}").text
        section = self._section(page, "payment_method")
        self.assertIn(self.url, section)
        self.assertIn("Set up automatic payment", section)
        # Not on a contract waiting for signature, nor another customer's.
        page = self._get(f"/my/contracts/{self.to_sign.id}").text
        self.assertFalse(self._section(page, "payment_method"))

    def test_page_lists_own_tokens_only(self):
        page = self._get(self.url).text
        self.assertIn('id="o_payment_form"', page)
        self.assertIn(f'data-payment-option-id="{self.own_token.id}"', page)
        self.assertNotIn(f'data-payment-option-id="{self.other_token.id}"', page)
        self.assertIn(f'data-assign-token-route="{self.url}/assign"', page)
        # Another customer's contract: back to the portal home.
        response = self._open(f"/my/contracts/{self.other.id}/payment_method")
        self.assertTrue(response.url.endswith("/my"), response.url)

    def test_choose_own_token(self):
        self._jsonrpc(f"{self.url}/assign", {"token_id": self.own_token.id})
        self.assertEqual(self.running.sudo().payment_token_id, self.own_token)

    def test_other_customers_token_refused(self):
        with self.assertRaises(JsonRpcException):
            self._jsonrpc(f"{self.url}/assign", {"token_id": self.other_token.id})
        self.assertFalse(self.running.sudo().payment_token_id)
        # Nor on another customer's contract, with that customer's token.
        with self.assertRaises(JsonRpcException):
            self._jsonrpc(
                f"/my/contracts/{self.other.id}/payment_method/assign",
                {"token_id": self.other_token.id},
            )
        self.assertFalse(self.other.sudo().payment_token_id)
        # Nor by JSON-RPC on the contract itself.
        self.assertRpcRefused(
            self.portal_user,
            "service.contract",
            "write",
            [self.running.id],
            {"payment_token_id": self.other_token.id},
        )
        self.assertFalse(self.running.sudo().payment_token_id)

    def test_save_new_payment_method_with_demo(self):
        """The payment form's flow: a validation transaction for the
        contract, the provider's answer (payment_demo simulates it), the
        status page's post-processing: the new token pays the contract."""
        values = self._jsonrpc(
            f"{self.url}/transaction",
            {
                "provider_id": self.provider.id,
                "payment_method_id": self.env.ref(
                    "payment_demo.payment_method_demo"
                ).id,
                "token_id": None,
                "amount": None,
                "flow": "direct",
                "tokenization_requested": True,
                "landing_route": "https://evil.example.com",
                "is_validation": True,
                "access_token": "x",
            },
        )
        tx = (
            self.env["payment.transaction"]
            .sudo()
            .search([("reference", "=", values["reference"])])
        )
        self.assertEqual(tx.operation, "validation")
        self.assertEqual(tx.service_contract_id, self.running)
        self.assertEqual(tx.landing_route, f"/my/contracts/{self.running.id}")
        self._jsonrpc(
            "/payment/demo/simulate_payment",
            {
                "reference": values["reference"],
                "payment_details": "5555",
                "simulated_state": "done",
            },
        )
        self._jsonrpc("/payment/status/poll", {})
        token = self.running.sudo().payment_token_id
        self.assertTrue(token)
        self.assertEqual(token.partner_id, self.portal_user.partner_id)
        self.assertIn("5555", token.payment_details)
        page = self._get(f"/my/contracts/{self.running.id}").text
        self.assertIn(
            "is charged automatically to", self._section(page, "payment_method")
        )

    def test_token_flow_refused_on_transaction_route(self):
        with self.assertRaises(JsonRpcException):
            self._jsonrpc(
                f"{self.url}/transaction",
                {
                    "provider_id": self.provider.id,
                    "payment_method_id": None,
                    "token_id": self.other_token.id,
                    "flow": "token",
                    "tokenization_requested": False,
                },
            )
        self.assertFalse(
            self.env["payment.transaction"]
            .sudo()
            .search([("token_id", "=", self.other_token.id)])
        )
