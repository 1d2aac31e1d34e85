"""A year in production, as a test.

A real Odoo server in multi-process mode (2 HTTP workers, 1 cron worker) on a
fresh database without demo data, in a private PostgreSQL cluster. Both run
under a fake clock (libfaketime, Debian package ``faketime``) read from a file:
rewriting the file moves the date of every process at once, forward only.
Customers, quotations and contracts are made through the external API
(JSON-RPC) by a salesperson and a contract user; then the date moves over 13
months and the scheduled actions fire by themselves, as in production. Midway,
the cron worker is killed with SIGKILL in the middle of an invoicing run and
the server is restarted. Everything is checked through the API at the end.

This is an external-process test: it is a plain pytest function, not an Odoo
test case (Odoo's own test runner ignores it). It needs the ``faketime``
package and the PostgreSQL server binaries (``tools/lib.sh`` installs them).
"""

import contextlib
import glob
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta

FAKETIME_LIBS = "/usr/lib/*/faketime/libfaketime.so.1"
DB = "year"
ADMIN = ("admin", "admin")
# Contracts made for the SIGKILL run, and the invoicing batch size then.
KILL_CONTRACTS = 90
KILL_BATCH_SIZE = 10
SERVICE_CRONS = [
    "service_contract.ir_cron_process_terms",
    "service_contract.ir_cron_create_invoices",
    "service_contract.ir_cron_generate_interventions",
    "service_contract.ir_cron_chatel_reminders",
    "service_contract.ir_cron_alerts",
]
# Crons that would reach the Internet or an SMTP server: off in this test (the
# mails stay queued, where the test counts them).
OFF_CRONS = [
    "mail.ir_cron_mail_scheduler_action",
    "mail.ir_cron_module_update_notification",
    "partner_autocomplete.ir_cron_partner_autocomplete",
]


class Failure(AssertionError):
    pass


def _find_faketime():
    libs = sorted(glob.glob(FAKETIME_LIBS))
    if not libs:
        raise Failure(
            f"libfaketime not found ({FAKETIME_LIBS}): install the Debian "
            "package 'faketime' (tools/lib.sh does it)."
        )
    return libs[0]


def _find_pg_bin():
    for path in sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), reverse=True):
        return os.path.dirname(path)
    path = shutil.which("pg_ctl")
    if not path:
        raise Failure("PostgreSQL server binaries (pg_ctl, initdb) not found.")
    return os.path.dirname(path)


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Log:
    def __init__(self, path):
        self.path = path
        self.start = time.monotonic()

    def __call__(self, message):
        line = f"[{time.monotonic() - self.start:7.1f}s] {message}"
        with open(self.path, "a", encoding="utf-8") as file:
            file.write(line + "\n")


def real_time():
    """The real clock, even when this process runs under a fake one (the
    whole suite run with ``faketime`` to try it at another date): the boot
    time plus the time since boot, read from files libfaketime leaves as
    they are. The offsets of the fake clock below are from the real clock."""
    with open("/proc/stat", encoding="ascii") as file:
        boot = next(int(line.split()[1]) for line in file if line.startswith("btime"))
    with open("/proc/uptime", encoding="ascii") as file:
        return boot + float(file.read().split()[0])


class FakeClock:
    """The date of every process of the test: an offset from the real clock
    in a file that libfaketime reads at each call (FAKETIME_NO_CACHE)."""

    def __init__(self, path, lib):
        self.path = path
        self.lib = lib
        self.offset = None

    def env(self, monotonic=True):
        """The environment of a process under this clock: this one's, less
        any other fake clock this one runs under."""
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith("FAKETIME")
        }
        env |= {
            "LD_PRELOAD": self.lib,
            "FAKETIME_TIMESTAMP_FILE": self.path,
            "FAKETIME_NO_CACHE": "1",
        }
        if not monotonic:
            env["FAKETIME_DONT_FAKE_MONOTONIC"] = "1"
        return env

    def now(self):
        return datetime.fromtimestamp(real_time() + self.offset, UTC).replace(
            tzinfo=None
        )

    def set(self, when):
        """Move to ``when`` (naive UTC), never backwards."""
        if self.offset is not None and when <= self.now():
            raise Failure(f"the clock cannot go back to {when} from {self.now()}")
        self.offset = int(when.replace(tzinfo=UTC).timestamp() - real_time())
        tmp = self.path + ".tmp"
        with open(tmp, "w", encoding="ascii") as file:
            file.write(f"{self.offset:+d}\n")
        os.chmod(tmp, 0o644)
        os.replace(tmp, self.path)


def as_postgres(cmd):
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


class Cluster:
    """A throwaway PostgreSQL cluster under the fake clock."""

    def __init__(self, root, clock, log):
        self.bin = _find_pg_bin()
        self.data = os.path.join(root, "pgdata")
        self.sock = tempfile.mkdtemp(prefix="sc-year-pg-")
        self.clock = clock
        self.log = log
        self.user = "odoo_year"

    def _run(self, cmd, env=None):
        subprocess.run(
            as_postgres(cmd),
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
            timeout=300,
        )

    def start(self):
        os.makedirs(self.data)
        if os.geteuid() == 0:
            shutil.chown(self.data, "postgres")
            shutil.chown(self.sock, "postgres")
        os.chmod(self.sock, 0o755)
        self._run(
            [f"{self.bin}/initdb", "-D", self.data, "-U", "postgres", "-A", "trust"]
            + ["-E", "UTF8", "--locale=C.UTF-8"]
        )
        options = (
            f"-c listen_addresses='' -c unix_socket_directories='{self.sock}' "
            "-c fsync=off -c full_page_writes=off -c synchronous_commit=off"
        )
        env = self.clock.env(monotonic=False)
        self._run(
            [f"{self.bin}/pg_ctl", "-D", self.data, "-w", "-o", options]
            + ["-l", os.path.join(self.data, "server.log"), "start"],
            env=env,
        )
        self.psql(f"CREATE ROLE {self.user} LOGIN CREATEDB")
        self.log(f"PostgreSQL started, socket {self.sock}")

    def psql(self, sql, db="postgres"):
        result = subprocess.run(
            [f"{self.bin}/psql", "-h", self.sock, "-U", "postgres", "-d", db]
            + ["-tAXq", "-v", "ON_ERROR_STOP=1", "-c", sql],
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        )
        return result.stdout.strip()

    def stop(self):
        if os.path.exists(os.path.join(self.data, "postmaster.pid")):
            subprocess.run(
                as_postgres(
                    [f"{self.bin}/pg_ctl", "-D", self.data, "-m", "immediate", "stop"]
                ),
                check=False,
                capture_output=True,
                timeout=60,
            )
        shutil.rmtree(self.sock, ignore_errors=True)


LAUNCHER = """\
import os, sys, time
if len(sys.argv) > 1 and sys.argv[1] == "gevent":
    # The websocket server is not used here: a stub that lives as long as
    # the server (a real one that cannot start, e.g. a gevent plugin missing
    # from the virtualenv, would be respawned without end).
    parent = os.getppid()
    while os.getppid() == parent:
        time.sleep(1)
    sys.exit(0)
sys.path.insert(0, %(odoo_src)r)
import odoo
odoo.cli.main()
"""


class Server:
    """Odoo, under the fake clock."""

    def __init__(self, root, cluster, clock, log):
        import odoo  # noqa: PLC0415 - only needed when the test runs

        self.odoo_src = os.path.dirname(os.path.dirname(odoo.__file__))
        self.root = root
        self.cluster = cluster
        self.clock = clock
        self.log = log
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}/jsonrpc"
        self.logfile = os.path.join(root, "odoo.log")
        self.process = None
        addons = os.path.join(root, "addons")
        os.makedirs(addons)
        module = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
        os.symlink(module, os.path.join(addons, "service_contract"))
        self.launcher = os.path.join(root, "odoo-launcher.py")
        with open(self.launcher, "w", encoding="utf-8") as file:
            file.write(LAUNCHER % {"odoo_src": self.odoo_src})
        self.base_args = [
            f"--addons-path={self.odoo_src}/odoo/addons,{addons}",
            f"--data-dir={root}/data",
            f"--db_host={cluster.sock}",
            "--db_port=5432",
            f"--db_user={cluster.user}",
            "-d",
            DB,
            f"--db-filter=^{DB}$",
            f"--logfile={self.logfile}",
            "--log-level=info",
        ]
        self.env = dict(
            clock.env(),
            # a cron that stopped halfway wakes the cron worker at once
            ODOO_NOTIFY_CRON_CHANGES="1",
        )
        self.env.pop("PYTHONPATH", None)

    def _cmd(self, *args):
        return [sys.executable, self.launcher, *self.base_args, *args]

    def install(self):
        self.log("Installing service_contract without demo data")
        subprocess.run(
            self._cmd(
                "-i", "service_contract", "--without-demo=all", "--stop-after-init"
            )
            + ["--no-http"],
            env=self.env,
            check=True,
            timeout=1500,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.log("Installed")

    def start(self):
        self._log_offset = (
            os.path.getsize(self.logfile) if os.path.exists(self.logfile) else 0
        )
        self.process = subprocess.Popen(
            self._cmd(
                "--workers=2",
                "--max-cron-threads=1",
                f"--http-port={self.port}",
                "--http-interface=127.0.0.1",
                # The clock jumps by weeks: the master's watchdog must not
                # take a jump for a stuck worker.
                "--limit-time-real=1000000000",
                "--limit-time-real-cron=1000000000",
                "--limit-time-cpu=900",
            ),
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise Failure(f"Odoo exited with {self.process.returncode}")
            if self.cron_worker_pid(quiet=True):
                with contextlib.suppress(OSError, ValueError):
                    self.call_service("common", "version")
                    self.log(f"Odoo started on port {self.port}")
                    return
            time.sleep(0.5)
        raise Failure("Odoo did not start within 5 minutes")

    def cron_worker_pid(self, quiet=False):
        """Pid of the live cron worker, from the server log ('Worker
        WorkerCron (pid) alive') and checked to be the server's child."""
        if not os.path.exists(self.logfile):
            return None
        with open(self.logfile, encoding="utf-8", errors="replace") as file:
            file.seek(self._log_offset)
            pids = re.findall(r"Worker WorkerCron \((\d+)\) alive", file.read())
        for pid in reversed(pids):
            try:
                with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
                    ppid = int(stat.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            if ppid == self.process.pid:
                return int(pid)
        if not quiet:
            raise Failure("no live cron worker found in the server log")
        return None

    def stop(self):
        if not self.process or self.process.poll() is not None:
            return
        # A second SIGTERM stops at once: an idle cron worker would finish
        # its sleep (a minute) before a graceful stop.
        self.process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(3)
        if self.process.poll() is None:
            self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(30)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.log("Odoo stopped")

    def call_service(self, service, method, *args):
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "params": {"service": service, "method": method, "args": args},
        }
        request = urllib.request.Request(
            self.url,
            json.dumps(payload).encode(),
            {"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=600) as response:
            answer = json.load(response)
        if answer.get("error"):
            error = answer["error"]
            raise Failure(
                f"{service}.{method} failed: {error.get('data', {}).get('message')}"
                f" ({error.get('data', {}).get('name')})"
            )
        return answer["result"]


class Api:
    """One user of the external API (JSON-RPC execute_kw)."""

    def __init__(self, server, login, password):
        self.server = server
        self.login = login
        self.password = password
        self.uid = server.call_service("common", "login", DB, login, password)
        if not self.uid:
            raise Failure(f"cannot log in as {login}")

    def __call__(self, model, method, *args, **kwargs):
        return self.server.call_service(
            "object",
            "execute_kw",
            DB,
            self.uid,
            self.password,
            model,
            method,
            list(args),
            kwargs,
        )

    def ref(self, xmlid):
        module, name = xmlid.split(".")
        rows = self(
            "ir.model.data",
            "search_read",
            [("module", "=", module), ("name", "=", name)],
            fields=["res_id"],
        )
        if not rows:
            raise Failure(f"no record {xmlid}")
        return rows[0]["res_id"]


def at(day):
    """08:00 UTC on ``day``: morning in Europe, the same date everywhere."""
    return datetime.combine(day, datetime.min.time()) + timedelta(hours=8)


class Year:
    """The scenario, step by step."""

    def __init__(self, root):
        self.root = root
        self.log = Log(os.path.join(root, "progress.log"))
        self.clock = FakeClock(os.path.join(root, "faketime.rc"), _find_faketime())
        self.cluster = Cluster(root, self.clock, self.log)
        self.server = Server(root, self.cluster, self.clock, self.log)

    # -- time -------------------------------------------------------------

    def wake_cron_worker(self):
        """What ir.cron._trigger() does at commit: NOTIFY the cron worker."""
        self.cluster.psql(f"NOTIFY cron_trigger, '{DB}'")

    def wait_crons(self, since, timeout=600):
        """Wait until every service cron ran since ``since`` and is not due
        any more (a cron that stopped halfway keeps its nextcall)."""
        deadline = time.monotonic() + timeout
        # The fake clocks of PostgreSQL and Odoo may differ by a fraction of
        # a second: a run a little before ``since`` is this date's run (the
        # previous date is weeks earlier).
        ran_after = (since - timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S")
        since = since.strftime("%Y-%m-%d %H:%M:%S")
        while time.monotonic() < deadline:
            self.wake_cron_worker()
            crons = self.admin(
                "ir.cron",
                "read",
                self.cron_ids,
                ["cron_name", "lastcall", "nextcall", "active"],
            )
            pending = [
                c["cron_name"]
                for c in crons
                if not c["lastcall"]
                or c["lastcall"] < ran_after
                or c["nextcall"] <= since
            ]
            if not pending:
                return
            time.sleep(1)
        raise Failure(f"scheduled actions not run since {since}: {pending}")

    def move_to(self, day):
        started = time.monotonic()
        self.clock.set(at(day))
        self.wait_crons(at(day))
        self.log(f"{day}: crons done in {time.monotonic() - started:.1f}s")

    # -- setup ------------------------------------------------------------

    def setup_database(self, start):
        self.clock.set(at(start))
        self.cluster.start()
        self.server.install()
        self.server.start()
        self.admin = Api(self.server, *ADMIN)
        admin = self.admin
        self.cron_ids = [admin.ref(x) for x in SERVICE_CRONS]
        off = []
        for xmlid in OFF_CRONS:
            with contextlib.suppress(Failure):
                off.append(admin.ref(xmlid))
        admin("ir.cron", "write", off, {"active": False})
        company_id = admin("res.users", "read", [admin.uid], ["company_id"])[0][
            "company_id"
        ][0]
        company_fields = admin("res.company", "fields_get", [], attributes=["type"])
        self.invoice_policy = None
        if "service_invoice_policy" in company_fields:
            # Automatic posting, when the branch that adds it is merged.
            admin(
                "res.company",
                "write",
                [company_id],
                {"service_invoice_policy": "post"},
            )
            self.invoice_policy = "post"
        self.log(f"Invoice policy: {self.invoice_policy or 'drafts (no setting)'}")
        admin(
            "res.partner",
            "write",
            [
                admin("res.users", "read", [admin.uid], ["partner_id"])[0][
                    "partner_id"
                ][0]
            ],
            {"email": "admin@example.com"},
        )
        admin("res.company", "write", [company_id], {"email": "info@example.com"})
        salesman_groups = [
            admin.ref("base.group_user"),
            admin.ref("base.group_partner_manager"),
            admin.ref("sales_team.group_sale_salesman"),
        ]
        contract_groups = [
            admin.ref("base.group_user"),
            admin.ref("service_contract.group_service_contract_user"),
        ]
        users = {}
        for login, groups in (
            ("salesman", salesman_groups),
            ("contracts", contract_groups),
        ):
            admin(
                "res.users",
                "create",
                {
                    "name": login.capitalize(),
                    "login": login,
                    "password": f"{login}-password",
                    "email": f"{login}@example.com",
                    "groups_id": [(6, 0, groups)],
                },
            )
            users[login] = Api(self.server, login, f"{login}-password")
        self.salesman = users["salesman"]
        self.contract_user = users["contracts"]

    def _template(self, name, price, **terms):
        admin = self.admin
        visit_plans = terms.pop("visit_plans", [])
        template_id = admin(
            "service.contract.template",
            "create",
            {
                "name": name,
                **terms,
                "visit_plan_ids": [(0, 0, plan) for plan in visit_plans],
            },
        )
        product_id = admin(
            "product.product",
            "create",
            {
                "name": name,
                "type": "service",
                "list_price": price,
                "taxes_id": [(6, 0, [])],
                "service_contract_template_id": template_id,
            },
        )
        return template_id, product_id

    def sell(self):
        """Templates and products (admin), customers and quotations
        (salesperson), signatures (contract user)."""
        self.products = {}
        self.products["monthly"] = self._template(
            "Lift maintenance, monthly",
            120.0,
            duration=1,
            duration_unit="year",
            renewal_type="tacit",
            renewal_duration=1,
            renewal_unit="year",
            notice_period=1,
            notice_unit="month",
            invoicing_frequency="month",
            invoicing_mode="advance",
            prorata=False,
            signature_required=True,
        )[1]
        self.products["quarterly"] = self._template(
            "Air conditioning, quarterly",
            300.0,
            duration=1,
            duration_unit="year",
            renewal_type="tacit",
            renewal_duration=1,
            renewal_unit="year",
            notice_period=3,
            notice_unit="month",
            invoicing_frequency="quarter",
            invoicing_mode="advance",
            prorata=True,
            signature_required=True,
        )[1]
        self.products["consumer"] = self._template(
            "Boiler service, yearly",
            180.0,
            duration=1,
            duration_unit="year",
            renewal_type="tacit",
            renewal_duration=1,
            renewal_unit="year",
            notice_period=2,
            notice_unit="month",
            invoicing_frequency="year",
            invoicing_mode="advance",
            prorata=False,
            signature_required=False,
        )[1]
        self.products["visits"] = self._template(
            "Fire safety, one year",
            480.0,
            duration=1,
            duration_unit="year",
            renewal_type="none",
            notice_period=1,
            notice_unit="month",
            invoicing_frequency="year",
            invoicing_mode="advance",
            prorata=False,
            signature_required=True,
            visit_plans=[
                {
                    "name": "Extinguisher check",
                    "frequency_type": "count",
                    "count_per_year": 2,
                    "per_site": True,
                    "days_early": 7,
                    "days_late": 15,
                }
            ],
        )[1]
        sales = self.salesman
        pro = sales(
            "res.partner",
            "create",
            {
                "name": "Résidence Les Tilleuls",
                "is_company": True,
                "email": "syndic@example.com",
            },
        )
        consumer = sales(
            "res.partner",
            "create",
            {"name": "Marie Dupont", "email": "marie.dupont@example.com"},
        )
        site_a, site_b = sales(
            "res.partner",
            "create",
            [
                {"name": "Building A", "parent_id": pro, "type": "site"},
                {"name": "Building B", "parent_id": pro, "type": "site"},
            ],
        )
        self.partners = {"pro": pro, "consumer": consumer}
        # Nobody pays in this year: dunning would suspend their service at
        # D+45 (tested in test_dunning_suspension.py); the accountant leaves
        # them out so that this year checks every visit is generated.
        self.admin("res.partner", "write", [pro, consumer], {"dunning_excluded": True})
        self.sites = [site_a, site_b]

        def quotation(partner, products, **extra):
            return sales(
                "sale.order",
                "create",
                {
                    "partner_id": partner,
                    **extra,
                    "order_line": [
                        (0, 0, {"product_id": self.products[p], "product_uom_qty": 1})
                        for p in products
                    ],
                },
            )

        orders = [
            quotation(pro, ["monthly", "quarterly"]),
            quotation(consumer, ["consumer"]),
            quotation(pro, ["visits"], partner_shipping_id=site_a),
        ]
        for order in orders:
            sales("sale.order", "action_confirm", [order])
        self.log("Quotations confirmed by the salesperson")
        users = self.contract_user
        contracts = users(
            "service.contract",
            "search_read",
            [("sale_order_id", "in", orders)],
            fields=["state", "sale_order_id", "template_id"],
        )
        to_sign = [c["id"] for c in contracts if c["state"] == "to_sign"]
        users("service.contract", "action_sign", to_sign)
        visits_contract = [
            c for c in contracts if c["template_id"][1] == "Fire safety, one year"
        ][0]["id"]
        # Both buildings are visited.
        users(
            "service.contract",
            "write",
            [visits_contract],
            {"site_ids": [(6, 0, self.sites)]},
        )
        self.contracts = {
            kind: next(
                c["id"] for c in contracts if c["template_id"][1].startswith(prefix)
            )
            for kind, prefix in (
                ("monthly", "Lift"),
                ("quarterly", "Air"),
                ("consumer", "Boiler"),
                ("visits", "Fire"),
            )
        }
        states = users(
            "service.contract", "read", list(self.contracts.values()), ["state"]
        )
        assert all(s["state"] == "running" for s in states), states
        self.log(f"Contracts running: {self.contracts}")

    # -- the SIGKILL run --------------------------------------------------

    def create_bulk_contracts(self, start):
        """Many short contracts whose first months are due at once."""
        admin = self.admin
        admin(
            "ir.config_parameter",
            "set_param",
            "service_contract.invoice_batch_size",
            str(KILL_BATCH_SIZE),
        )
        product = admin(
            "product.product",
            "create",
            {"name": "Bulk service", "type": "service", "list_price": 50.0},
        )
        partners = self.salesman(
            "res.partner",
            "create",
            [
                {"name": f"Bulk customer {i:03d}", "is_company": True}
                for i in range(KILL_CONTRACTS)
            ],
        )
        users = self.contract_user
        self.bulk = users(
            "service.contract",
            "create",
            [
                {
                    "partner_id": partner,
                    "date_start": start.isoformat(),
                    "duration": 3,
                    "duration_unit": "month",
                    "renewal_type": "none",
                    "invoicing_frequency": "month",
                    "invoicing_mode": "advance",
                    "prorata": False,
                    "line_ids": [(0, 0, {"product_id": product, "price_unit": 50.0})],
                }
                for partner in partners
            ],
        )
        users("service.contract", "action_sign", self.bulk)
        self.log(f"{len(self.bulk)} bulk contracts signed")

    def count_invoices(self):
        return self.admin(
            "account.move", "search_count", [("move_type", "=", "out_invoice")]
        )

    def kill_cron_worker_while_invoicing(self, day):
        """Move to ``day``, kill the cron worker once a few invoicing batches
        are committed, restart the server, let the cron finish."""
        before = self.count_invoices()
        self.clock.set(at(day))
        deadline = time.monotonic() + 300
        while True:
            if time.monotonic() > deadline:
                raise Failure("invoicing did not start")
            self.wake_cron_worker()
            count = self.count_invoices()
            if count >= before + 3 * KILL_BATCH_SIZE:
                break
            time.sleep(0.2)
        pid = self.server.cron_worker_pid()
        os.kill(pid, signal.SIGKILL)
        killed_at = self.count_invoices()
        self.log(
            f"{day}: cron worker {pid} killed with {killed_at - before} invoices "
            f"made of {3 * KILL_CONTRACTS} due"
        )
        self.server.stop()
        if killed_at - before >= 3 * KILL_CONTRACTS:
            raise Failure("the invoicing run ended before the kill: make it longer")
        self.server.start()
        self.wait_crons(at(day))
        self.log(f"{day}: invoicing finished after the restart")

    # -- checks -----------------------------------------------------------

    def check_invoicing(self, today):
        admin = self.admin
        contract_ids = [*self.contracts.values(), *self.bulk]
        periods = admin(
            "service.contract.period",
            "search_read",
            [("contract_id", "in", contract_ids)],
            fields=["contract_id", "invoice_date", "amount", "state", "move_id"],
        )
        lines = admin(
            "account.move.line",
            "search_read",
            [
                ("service_contract_id", "in", contract_ids),
                ("display_type", "=", "product"),
            ],
            fields=["service_contract_id", "move_id", "price_subtotal"],
        )
        problems = []
        today = today.isoformat()
        by_contract = defaultdict(list)
        for period in periods:
            by_contract[period["contract_id"][0]].append(period)
            if period["invoice_date"] <= today and period["state"] == "to_invoice":
                problems.append(f"period {period['id']} due and not invoiced")
            if period["state"] == "invoiced" and not period["move_id"]:
                problems.append(f"period {period['id']} invoiced without invoice")
        lines_by_contract = defaultdict(list)
        for line in lines:
            lines_by_contract[line["service_contract_id"][0]].append(line)
        for contract_id in contract_ids:
            mine = by_contract[contract_id]
            invoiced = [p for p in mine if p["state"] == "invoiced"]
            period_moves = Counter(p["move_id"][0] for p in invoiced)
            line_moves = {line["move_id"][0] for line in lines_by_contract[contract_id]}
            # no invoice with lines of this contract outside its schedule
            if line_moves != set(period_moves):
                problems.append(
                    f"contract {contract_id}: invoices {sorted(line_moves)} but "
                    f"periods invoiced on {sorted(period_moves)}"
                )
            dates = Counter(p["invoice_date"] for p in mine)
            if any(n > 1 for n in dates.values()):
                problems.append(f"contract {contract_id}: two periods on one date")
            invoiced_total = round(sum(p["amount"] for p in invoiced), 2)
            lines_total = round(
                sum(line["price_subtotal"] for line in lines_by_contract[contract_id]),
                2,
            )
            if invoiced_total != lines_total:
                problems.append(
                    f"contract {contract_id}: invoiced {lines_total}, "
                    f"periods {invoiced_total}"
                )
        totals = {
            kind: round(
                sum(line["price_subtotal"] for line in lines_by_contract[cid]), 2
            )
            for kind, cid in self.contracts.items()
        }
        self.log(f"Invoiced per contract: {totals}")
        # 14 months invoiced in advance: 2026-01-05 .. 2027-02-05 included.
        if totals["monthly"] != 14 * 120.0:
            problems.append(f"monthly contract invoiced {totals['monthly']}, not 1680")
        # Calendar quarters, prorated: 2026-01-05..03-31 (86/90), 3 full
        # quarters, 2027-01-01..01-04 (4/90) closing the first term, then
        # 2027-01-05..03-31 (86/90) opening the second.
        if totals["quarterly"] != 1486.67:
            problems.append(f"quarterly contract invoiced {totals['quarterly']}")
        # 2 years invoiced in advance, the second after the renewal.
        if totals["consumer"] != 2 * 180.0:
            problems.append(f"consumer contract invoiced {totals['consumer']}")
        # One year, not renewed.
        if totals["visits"] != 480.0:
            problems.append(f"fixed-term contract invoiced {totals['visits']}")
        bulk_total = sum(
            sum(line["price_subtotal"] for line in lines_by_contract[cid])
            for cid in self.bulk
        )
        if round(bulk_total, 2) != KILL_CONTRACTS * 3 * 50.0:
            problems.append(f"bulk contracts invoiced {bulk_total}")
        moves = admin(
            "account.move",
            "search_read",
            [("move_type", "=", "out_invoice")],
            fields=["state"],
        )
        states = Counter(m["state"] for m in moves)
        self.log(f"Invoices by state: {dict(states)}")
        if self.invoice_policy in ("post", "send") and set(states) != {"posted"}:
            problems.append(f"invoices not all posted: {dict(states)}")
        return problems

    def check_terms(self):
        contracts = self.admin(
            "service.contract",
            "read",
            list(self.contracts.values()),
            ["state", "renewal_count", "close_reason", "date_end"],
        )
        got = {c["id"]: c for c in contracts}
        problems = []
        for kind in ("monthly", "quarterly", "consumer"):
            contract = got[self.contracts[kind]]
            if contract["state"] != "running" or contract["renewal_count"] != 1:
                problems.append(f"{kind} contract not renewed once: {contract}")
            if contract["date_end"] != "2028-01-04":
                problems.append(f"{kind} contract ends on {contract['date_end']}")
        fixed = got[self.contracts["visits"]]
        if fixed["state"] != "closed" or fixed["close_reason"] != "expired":
            problems.append(f"fixed-term contract not closed at term: {fixed}")
        bulk = self.admin(
            "service.contract", "read", self.bulk, ["state", "close_reason"]
        )
        if {(c["state"], c["close_reason"]) for c in bulk} != {("closed", "expired")}:
            problems.append("bulk contracts not all closed at term")
        return problems

    def check_chatel(self):
        contract = self.contracts["consumer"]
        admin = self.admin
        domain = [
            ("model", "=", "service.contract"),
            ("res_id", "=", contract),
            ("subject", "ilike", "refuse its renewal"),
        ]
        messages = admin("mail.message", "search_read", domain, fields=["date"])
        mails = admin("mail.mail", "search_count", domain)
        state = admin(
            "service.contract",
            "read",
            [contract],
            ["chatel_reminder_date", "chatel_terminable", "chatel_window_start"],
        )[0]
        self.log(f"Loi Chatel: messages {messages}, mails {mails}, {state}")
        problems = []
        # One reminder for the first term (window 2026-08-04..2026-10-04),
        # none yet for the second (window from 2027-08-04).
        if len(messages) != 1 or mails != 1:
            problems.append(
                f"Loi Chatel reminder sent {len(messages)} times ({mails} mails)"
            )
        elif not "2026-08-04" <= messages[0]["date"][:10] <= "2026-10-04":
            problems.append(f"Loi Chatel reminder sent on {messages[0]['date']}")
        if state["chatel_terminable"] or state["chatel_reminder_date"]:
            problems.append(f"Loi Chatel state after the renewal: {state}")
        for kind in ("monthly", "quarterly"):
            domain[1] = ("res_id", "=", self.contracts[kind])
            if admin("mail.message", "search_count", domain):
                problems.append(f"Loi Chatel reminder sent to a professional ({kind})")
        return problems

    def check_visits(self):
        admin = self.admin
        visits = admin(
            "service.intervention",
            "search_read",
            [("contract_id", "=", self.contracts["visits"])],
            fields=["plan_id", "site_id", "date_due", "alert_sent"],
        )
        keys = Counter(
            (v["plan_id"] and v["plan_id"][0], v["site_id"] and v["site_id"][0])
            + (v["date_due"],)
            for v in visits
        )
        self.log(f"Visits: {sorted(keys)}")
        problems = [f"visit made twice: {key}" for key, n in keys.items() if n > 1]
        expected = {
            (site, due) for site in self.sites for due in ("2026-01-05", "2026-07-05")
        }
        got = {(key[1], key[2]) for key in keys}
        if got != expected:
            problems.append(f"visits {sorted(got)}, expected {sorted(expected)}")
        activities = admin(
            "mail.activity",
            "search_read",
            [
                ("res_model", "=", "service.intervention"),
                ("res_id", "in", [v["id"] for v in visits]),
            ],
            fields=["res_id", "activity_type_id"],
        )
        per_visit = Counter((a["res_id"], a["activity_type_id"][0]) for a in activities)
        problems += [f"alert raised twice: {k}" for k, n in per_visit.items() if n > 1]
        # Never planned: each visit got the 'to plan' alert, then the 'late' one.
        if len(per_visit) != 2 * len(visits):
            problems.append(f"{len(per_visit)} alerts for {len(visits)} visits")
        if {v["alert_sent"] for v in visits} != {"late"}:
            problems.append(f"alerts sent: {[v['alert_sent'] for v in visits]}")
        return problems

    def check_log(self):
        with open(self.server.logfile, encoding="utf-8", errors="replace") as file:
            errors = [
                line.rstrip()
                for line in file
                if re.match(r"^\S+ \S+ \d+ (ERROR|CRITICAL) ", line)
            ]
        return [f"server log: {line}" for line in errors[:10]]

    def close(self):
        self.server.stop()
        self.cluster.stop()


def test_year_in_production():
    """13 months of a production server, crons firing by themselves."""
    root = tempfile.mkdtemp(prefix="sc-year-")
    os.chmod(root, 0o755)
    year = None
    try:
        year = Year(root)
        start = date(2026, 1, 5)
        year.setup_database(start)
        year.sell()
        dates = [date(2026, 1, 6)] + [date(2026, m, 5) for m in range(2, 13)]
        dates += [date(2027, 1, 5), date(2027, 2, 5)]
        for day in dates:
            if day == date(2026, 4, 5):
                # KILL_CONTRACTS contracts started on 2026-01-01 for 3
                # months: all their periods are due at once, invoiced in
                # small batches; the cron worker is killed halfway through
                # and the server restarted.
                year.create_bulk_contracts(date(2026, 1, 1))
                year.kill_cron_worker_while_invoicing(day)
                continue
            year.move_to(day)
        problems = (
            year.check_invoicing(dates[-1])
            + year.check_terms()
            + year.check_chatel()
            + year.check_visits()
            + year.check_log()
        )
        if problems:
            raise Failure("\n".join(problems))
    except BaseException as error:
        logs = os.path.join(root, "progress.log"), os.path.join(root, "odoo.log")
        raise Failure(
            f"{error}\nProgress log: {logs[0]}\nServer log: {logs[1]}"
        ) from error
    finally:
        if year:
            year.close()
    shutil.rmtree(root, ignore_errors=True)
