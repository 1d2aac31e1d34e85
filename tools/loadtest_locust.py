"""Locust users of ``tools/loadtest``: portal customers and back-office users
of the database ``tools/loadtest.py prepare`` made.

40 portal customers browse their contracts, a contract, their invoices and
their visits; 10 back-office users open the contract list, a contract's form,
the Alerts list and the invoices, and note on a contract. A JSON-RPC answer
carrying an error counts as a failure, as an HTTP error does.

Every request closes its connection, as the reverse proxy in front of Odoo
(nginx's default ``proxy_http_version 1.0``) does: an Odoo worker serving a
kept-alive connection waits for its next request and serves no one else.
"""

import itertools
import os
import random
import re

from locust import HttpUser, between, task

DB = os.environ["SC_LOAD_DB"]
PORTAL_USERS = int(os.environ.get("SC_LOAD_PORTAL_USERS", "40"))
# One login per customer, shared by several users on a small database.
PORTAL_LOGINS = int(os.environ.get("SC_LOAD_PORTAL_LOGINS", str(PORTAL_USERS)))
OFFICE_USERS = int(os.environ.get("SC_LOAD_OFFICE_USERS", "10"))
_portal_numbers = itertools.count()
_office_numbers = itertools.count()

CONTRACT_LIST = {
    "name": {},
    "title": {},
    "partner_id": {"fields": {"display_name": {}}},
    "date_start": {},
    "date_end": {},
    "notice_deadline": {},
    "amount_mrr": {},
    "is_late_payer": {},
    "amount_overdue": {},
    "state": {},
}
CONTRACT_FORM = {
    **CONTRACT_LIST,
    "line_ids": {"fields": {"name": {}, "price_unit": {}, "quantity": {}}},
    "period_ids": {"fields": {"date_from": {}, "state": {}, "amount": {}}},
    "invoice_count": {},
    "amount_invoiced": {},
}
ALERT_LIST = {
    "kind": {},
    "date": {},
    "partner_id": {"fields": {"display_name": {}}},
    "contract_id": {"fields": {"display_name": {}}},
    "action": {},
}
INVOICE_LIST = {
    "name": {},
    "partner_id": {"fields": {"display_name": {}}},
    "invoice_date": {},
    "amount_total": {},
    "payment_state": {},
}


class PortalCustomer(HttpUser):
    fixed_count = PORTAL_USERS
    wait_time = between(1, 3)

    def on_start(self):
        self.client.headers["Connection"] = "close"
        login = f"sc_load_portal_{next(_portal_numbers) % PORTAL_LOGINS}"
        page = self.client.get("/web/login", name="/web/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        with self.client.post(
            "/web/login",
            data={"login": login, "password": login, "csrf_token": token},
            name="/web/login (post)",
            catch_response=True,
        ) as response:
            if "/web/login" in response.url:
                response.failure(f"{login} could not log in")
        self.contract_urls = []

    @task(3)
    def contracts(self):
        page = self.client.get("/my/contracts", name="/my/contracts").text
        self.contract_urls = re.findall(r'href="(/my/contracts/\d+)[?"]', page)

    @task(2)
    def contract(self):
        if self.contract_urls:
            self.client.get(
                random.choice(self.contract_urls), name="/my/contracts/<id>"
            )

    @task(2)
    def invoices(self):
        self.client.get("/my/invoices", name="/my/invoices")

    @task(1)
    def visits(self):
        self.client.get("/my/interventions", name="/my/interventions")


class BackOffice(HttpUser):
    fixed_count = OFFICE_USERS
    wait_time = between(1, 3)

    def on_start(self):
        self.client.headers["Connection"] = "close"
        login = f"sc_load_office_{next(_office_numbers) % OFFICE_USERS}"
        self.rpc(
            "/web/session/authenticate",
            {"db": DB, "login": login, "password": login},
            name="/web/session/authenticate",
        )
        self.contract_ids = []

    def rpc(self, url, params, name):
        with self.client.post(
            url,
            json={"jsonrpc": "2.0", "method": "call", "params": params},
            name=name,
            catch_response=True,
        ) as response:
            body = response.json() if response.ok else {}
            if "error" in body:
                response.failure(body["error"].get("data", {}).get("name", "error"))
                return None
            return body.get("result")

    def call(self, model, method, args, kwargs, name):
        return self.rpc(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": args, "kwargs": kwargs},
            name=name,
        )

    @task(4)
    def contract_list(self):
        result = self.call(
            "service.contract",
            "web_search_read",
            [],
            {
                "domain": [("state", "=", "running")],
                "specification": CONTRACT_LIST,
                "limit": 80,
                "order": "name desc",
            },
            "contract list",
        )
        if result:
            self.contract_ids = [record["id"] for record in result["records"]]

    @task(3)
    def contract_form(self):
        if self.contract_ids:
            self.call(
                "service.contract",
                "web_read",
                [[random.choice(self.contract_ids)]],
                {"specification": CONTRACT_FORM},
                "contract form",
            )

    @task(2)
    def alerts(self):
        self.call(
            "service.contract.alert",
            "web_search_read",
            [],
            {"domain": [], "specification": ALERT_LIST, "limit": 80},
            "Alerts list",
        )

    @task(2)
    def invoices(self):
        self.call(
            "account.move",
            "web_search_read",
            [],
            {
                "domain": [("move_type", "=", "out_invoice")],
                "specification": INVOICE_LIST,
                "limit": 80,
            },
            "invoice list",
        )

    @task(1)
    def note(self):
        if self.contract_ids:
            self.call(
                "service.contract",
                "message_post",
                [[random.choice(self.contract_ids)]],
                {"body": "Called the customer.", "message_type": "comment"},
                "note on a contract",
            )
