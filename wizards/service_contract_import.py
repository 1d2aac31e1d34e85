"""Import Contracts: a spreadsheet of contracts running in a former tool
(README.md, "Bringing existing contracts in"), every row checked first,
then the contracts created and taken over (``_take_over``)."""

import base64
import csv
import io
from collections import defaultdict
from datetime import date, datetime, timedelta

from odoo import Command, api, fields, models
from odoo.exceptions import UserError

from ..models.date_utils import term_end

# The columns of the file, one row per service of a contract: the rows of a
# contract share its reference and repeat its contract columns.
COLUMNS = [
    "contract_ref",
    "customer",
    "customer_vat",
    "customer_ref",
    "site",
    "template",
    "product",
    "quantity",
    "price_unit",
    "frequency",
    "start_date",
    "term_months",
    "signature_date",
    "invoiced_until",
]
REQUIRED = (
    "contract_ref",
    "customer",
    "product",
    "price_unit",
    "start_date",
    "invoiced_until",
)
# The columns of the contract, the same on each of its rows.
CONTRACT_COLUMNS = (
    "template",
    "frequency",
    "start_date",
    "term_months",
    "signature_date",
    "invoiced_until",
)
FREQUENCIES = {
    "month": "month",
    "monthly": "month",
    "mensuel": "month",
    "mensuelle": "month",
    "quarter": "quarter",
    "quarterly": "quarter",
    "trimestriel": "quarter",
    "trimestrielle": "quarter",
    "semester": "semester",
    "half-yearly": "semester",
    "semestriel": "semester",
    "semestrielle": "semester",
    "year": "year",
    "yearly": "year",
    "annual": "year",
    "annuel": "year",
    "annuelle": "year",
}
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")


class ServiceContractImport(models.TransientModel):
    _name = "service.contract.import"
    _description = "Import Contracts"

    file = fields.Binary(required=True)
    file_name = fields.Char()
    error_ids = fields.One2many(
        "service.contract.import.error", "wizard_id", string="Errors", readonly=True
    )
    contract_ids = fields.Many2many(
        "service.contract", string="Contracts Imported", readonly=True
    )
    state = fields.Selection(
        [("upload", "Upload"), ("errors", "Errors"), ("done", "Imported")],
        string="Status",
        default="upload",
        readonly=True,
    )

    # ------------------------------------------------------------------
    # Reading the file
    # ------------------------------------------------------------------

    def _read_rows(self):
        """[(row number, {column: text or value})] of the file; the first
        row names the columns."""
        self.ensure_one()
        content = base64.b64decode(self.file or b"")
        name = (self.file_name or "").lower()
        if name.endswith(".xlsx") or content[:2] == b"PK":
            rows = self._read_xlsx(content)
        else:
            rows = self._read_csv(content)
        if not rows:
            raise UserError(self.env._("The file is empty."))
        header = [str(cell or "").strip().lower() for cell in rows[0]]
        missing = [column for column in REQUIRED if column not in header]
        if missing:
            raise UserError(
                self.env._(
                    "Columns missing from the file: %(columns)s.",
                    columns=", ".join(missing),
                )
            )
        result = []
        for number, row in enumerate(rows[1:], start=2):
            values = {
                column: row[index] if index < len(row) else None
                for index, column in enumerate(header)
                if column in COLUMNS
            }
            if any(value not in (None, "") for value in values.values()):
                result.append((number, values))
        return result

    def _read_csv(self, content):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = content.decode("latin-1")
        first = text.split("\n", 1)[0]
        delimiter = ";" if first.count(";") > first.count(",") else ","
        return [
            [cell.strip() for cell in row]
            for row in csv.reader(io.StringIO(text), delimiter=delimiter)
        ]

    def _read_xlsx(self, content):
        import openpyxl  # noqa: PLC0415 - an Odoo requirement, needed here only

        try:
            book = openpyxl.load_workbook(
                io.BytesIO(content), read_only=True, data_only=True
            )
        except Exception as error:
            raise UserError(
                self.env._("The file could not be read as XLSX: %(error)s", error=error)
            ) from error
        return [list(row) for row in book.active.iter_rows(values_only=True)]

    # ------------------------------------------------------------------
    # Checking the rows
    # ------------------------------------------------------------------

    @api.model
    def _parse_date(self, value):
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        for pattern in DATE_FORMATS:
            try:
                return datetime.strptime(str(value).strip(), pattern).date()
            except ValueError:
                continue
        return None

    @api.model
    def _parse_number(self, value):
        if isinstance(value, int | float):
            return float(value)
        text = str(value).strip().replace("\u00a0", "").replace(" ", "")
        text = text.replace(",", ".")
        try:
            return float(text)
        except ValueError:
            return None

    def _lookup(self, model, domain_by_key, keys):
        """{key: records} of ``model`` matching each key, one search."""
        found = defaultdict(lambda: self.env[model])
        keys = {key for key in keys if key}
        if not keys:
            return found
        for field, domain in domain_by_key:
            records = self.env[model].search(
                [*domain, (field, "in", list(keys))], order="id"
            )
            for record in records:
                found[(field, record[field])] |= record
        return found

    def _get_lookups(self, rows):
        """The customers, products and templates the rows name, found in a
        few searches: {kind: {(field, value): records}}."""

        def keys(*columns):
            return {
                str(values.get(column) or "").strip()
                for _number, values in rows
                for column in columns
            }

        company = self.env.company
        return {
            "customer": self._lookup(
                "res.partner",
                [
                    ("vat", [("parent_id", "=", False)]),
                    ("ref", [("parent_id", "=", False)]),
                    ("name", [("parent_id", "=", False), ("type", "!=", "site")]),
                ],
                keys("customer", "customer_vat", "customer_ref"),
            ),
            "product": self._lookup(
                "product.product",
                [("default_code", []), ("name", [])],
                keys("product"),
            ),
            "template": self._lookup(
                "service.contract.template",
                [("name", [("company_id", "in", [False, company.id])])],
                keys("template"),
            ),
        }

    def _check_rows(self, rows):
        """Check every row: (errors [(row, column, message)], contracts
        {ref: {"row", contract values, "sites", "lines": [(row, values)]}})."""
        errors = []
        today = self.env.company._service_today()
        lookups = self._get_lookups(rows)
        can_create = self.env["res.partner"].has_access("create")
        contracts = {}
        for number, raw in rows:
            values = {
                key: value.strip() if isinstance(value, str) else value
                for key, value in raw.items()
            }
            row_errors = []
            parsed = self._check_row(values, lookups, can_create, today, row_errors)
            errors += [(number, column, message) for column, message in row_errors]
            if row_errors:
                continue
            contract_ref = str(values["contract_ref"])
            contract = contracts.get(contract_ref)
            if contract is None:
                contract = contracts[contract_ref] = {
                    "row": number,
                    "customer": parsed["customer"],
                    **{column: parsed[column] for column in CONTRACT_COLUMNS},
                    "sites": [],
                    "lines": [],
                }
                message = self._check_term(contract, today)
                if message:
                    errors.append((number, "invoiced_until", message))
            else:
                errors += [
                    (
                        number,
                        column,
                        self.env._(
                            "The rows of contract %(ref)s differ in this "
                            "column (row %(row)s).",
                            ref=contract_ref,
                            row=contract["row"],
                        ),
                    )
                    for column in ("customer", *CONTRACT_COLUMNS)
                    if parsed[column] != contract[column]
                ]
            if parsed["site"] and parsed["site"] not in contract["sites"]:
                contract["sites"].append(parsed["site"])
            contract["lines"].append((number, parsed))
        # Imported before (this file again, or another one with some of the
        # same contracts): each would be billed twice.
        imported = self.env["service.contract"].search(
            [("takeover_ref", "in", list(contracts)), ("state", "!=", "cancel")]
        )
        errors += [
            (
                contracts[contract.takeover_ref]["row"],
                "contract_ref",
                self.env._(
                    "Contract %(ref)s is already imported: %(name)s.",
                    ref=contract.takeover_ref,
                    name=contract.name,
                ),
            )
            for contract in imported
        ]
        return errors, contracts

    def _check_row(self, values, lookups, can_create, today, errors):
        """The values of one row, parsed; its problems appended to
        ``errors`` as (column, message)."""
        for column in REQUIRED:
            if values.get(column) in (None, ""):
                errors.append((column, self.env._("This column is required.")))
        return {
            "site": str(values.get("site") or ""),
            "customer": self._check_customer(values, lookups, can_create, errors),
            "template": self._check_template(values, lookups, errors),
            "product": self._check_product(values, lookups, errors),
            **self._check_numbers(values, errors),
            "frequency": self._check_frequency(values, errors),
            **self._check_dates(values, today, errors),
        }

    def _check_customer(self, values, lookups, can_create, errors):
        """(partner found or empty, name, VAT, reference): by VAT, by
        reference, then by name; not found, it is created at import."""
        customers = lookups["customer"]
        name = str(values.get("customer") or "")
        vat = str(values.get("customer_vat") or "")
        ref = str(values.get("customer_ref") or "")
        matches = self.env["res.partner"]
        if vat:
            matches = customers[("vat", vat)]
        elif ref:
            matches = customers[("ref", ref)]
        if not matches:
            matches = customers[("name", name)]
            # Found by name only: a customer whose VAT number or reference
            # differs from the file's is another company (a homonym).
            others = matches.filtered(
                lambda p: (vat and p.vat and p.vat != vat)
                or (ref and p.ref and p.ref != ref)
            )
            if others:
                errors.append(
                    (
                        "customer",
                        self.env._(
                            "Customer %(name)s has another VAT number or "
                            "reference here (%(found)s) than in the file: "
                            "correct the file or the customer.",
                            name=name,
                            found=", ".join(
                                filter(
                                    None, others.mapped("vat") + others.mapped("ref")
                                )
                            ),
                        ),
                    )
                )
                return (matches[:0], name, vat, ref)
        if len(matches) > 1:
            errors.append(
                (
                    "customer",
                    self.env._(
                        "Several customers match %(name)s: give their VAT number "
                        "or reference.",
                        name=name,
                    ),
                )
            )
        elif not matches and name and not can_create:
            errors.append(
                (
                    "customer",
                    self.env._(
                        "Customer %(name)s not found, and you may not create "
                        "contacts: create it first.",
                        name=name,
                    ),
                )
            )
        return (matches[:1], name, vat, ref)

    def _check_template(self, values, lookups, errors):
        name = str(values.get("template") or "")
        template = lookups["template"][("name", name)]
        if name and not template:
            errors.append(
                (
                    "template",
                    self.env._("Unknown contract template %(name)s.", name=name),
                )
            )
        return template[:1]

    def _check_product(self, values, lookups, errors):
        """By internal reference, else by name."""
        key = str(values.get("product") or "")
        products = lookups["product"]
        product = products[("default_code", key)] or products[("name", key)]
        if key and not product:
            errors.append(
                ("product", self.env._("Unknown product %(name)s.", name=key))
            )
        elif len(product) > 1:
            errors.append(
                (
                    "product",
                    self.env._(
                        "Several products match %(name)s: give its internal "
                        "reference.",
                        name=key,
                    ),
                )
            )
        return product[:1]

    def _check_numbers(self, values, errors):
        parsed = {}
        for column, default in (("quantity", 1.0), ("price_unit", None)):
            value = values.get(column)
            parsed[column] = default
            if value in (None, ""):
                continue
            parsed[column] = self._parse_number(value)
            if parsed[column] is None or parsed[column] < 0:
                errors.append(
                    (
                        column,
                        self.env._("%(value)s is not a positive number.", value=value),
                    )
                )
        term = values.get("term_months")
        parsed["term_months"] = None
        if term not in (None, ""):
            months = self._parse_number(term)
            if not months or months < 1 or months != int(months):
                errors.append(
                    (
                        "term_months",
                        self.env._("%(value)s is not a number of months.", value=term),
                    )
                )
            else:
                parsed["term_months"] = int(months)
        return parsed

    def _check_frequency(self, values, errors):
        text = str(values.get("frequency") or "")
        frequency = FREQUENCIES.get(text.lower())
        if text and not frequency:
            errors.append(
                (
                    "frequency",
                    self.env._(
                        "Unknown frequency %(value)s: month, quarter, semester "
                        "or year (mensuel, trimestriel, semestriel or annuel).",
                        value=text,
                    ),
                )
            )
        return frequency

    def _check_dates(self, values, today, errors):
        parsed = {}
        for column in ("start_date", "signature_date", "invoiced_until"):
            value = values.get(column)
            parsed[column] = None
            if value in (None, ""):
                continue
            parsed[column] = self._parse_date(value)
            if not parsed[column]:
                errors.append(
                    (
                        column,
                        self.env._(
                            "%(value)s is not a date (YYYY-MM-DD or DD/MM/YYYY).",
                            value=value,
                        ),
                    )
                )
        if parsed["signature_date"] and parsed["signature_date"] > today:
            errors.append(
                ("signature_date", self.env._("The signature date is in the future."))
            )
        return parsed

    def _check_term(self, contract, today):
        """The message refusing a contract whose term ended or whose
        invoicing in the former tool goes beyond its current term."""
        template = contract["template"]
        Template = self.env["service.contract.template"]
        defaults = template or Template.new(
            Template.default_get(
                [
                    "duration",
                    "duration_unit",
                    "renewal_type",
                    "renewal_duration",
                    "renewal_unit",
                ]
            )
        )
        months = contract["term_months"]
        count, unit = (
            (months, "month")
            if months
            else (
                defaults.duration,
                defaults.duration_unit,
            )
        )
        start = contract["start_date"]
        end = term_end(start, count, unit)
        if defaults.renewal_type == "tacit":
            while end < today:
                end = term_end(
                    end + timedelta(days=1),
                    defaults.renewal_duration,
                    defaults.renewal_unit,
                )
        elif end < today:
            return self.env._(
                "The term ended on %(end)s and is not renewed tacitly: the "
                "contract no longer runs.",
                end=end,
            )
        if contract["invoiced_until"] > end + timedelta(days=1):
            return self.env._(
                "Invoiced until %(date)s, after the end of the current term "
                "(%(end)s).",
                date=contract["invoiced_until"],
                end=end,
            )
        return None

    # ------------------------------------------------------------------
    # Importing
    # ------------------------------------------------------------------

    def action_import(self):
        """Check every row; create nothing if one is wrong (the errors are
        listed), else create the contracts and take them over."""
        self.ensure_one()
        self.env["service.contract"]._check_manager()
        if self.state == "done":
            # A click sent twice would create and bill the contracts twice.
            raise UserError(
                self.env._(
                    "This file is already imported (%(names)s): open Import "
                    "Contracts again to import another one.",
                    names=", ".join(self.contract_ids.mapped("name")),
                )
            )
        rows = self._read_rows()
        errors, contracts = self._check_rows(rows)
        self.error_ids = [Command.clear()] + [
            Command.create({"row": number, "column": column, "message": message})
            for number, column, message in sorted(errors, key=lambda e: e[:2])
        ]
        if errors:
            self.state = "errors"
            return self._reopen()
        self.contract_ids = self._create_contracts(contracts)
        self.state = "done"
        return self._reopen()

    def _create_contracts(self, contracts):
        Partner = self.env["res.partner"]
        # Customers not found: created as companies, once each.
        new_customers = {}
        for contract in contracts.values():
            partner, name, vat, ref = contract["customer"]
            if not partner and (vat, ref, name) not in new_customers:
                new_customers[(vat, ref, name)] = {
                    "name": name,
                    "is_company": True,
                    "vat": vat or False,
                    "ref": ref or False,
                }
        created = Partner.create(list(new_customers.values()))
        by_key = dict(zip(new_customers, created, strict=True))
        for contract in contracts.values():
            partner, name, vat, ref = contract["customer"]
            contract["partner"] = partner or by_key[(vat, ref, name)]
        # Their sites, found by name, else created.
        partners = Partner.union(*(c["partner"] for c in contracts.values()))
        existing = Partner.search(
            [("type", "=", "site"), ("parent_id", "in", partners.ids)]
        )
        sites = {(site.parent_id.id, site.name): site for site in existing}
        new_sites = {
            (contract["partner"].id, name): {
                "name": name,
                "type": "site",
                "parent_id": contract["partner"].id,
            }
            for contract in contracts.values()
            for name in contract["sites"]
            if (contract["partner"].id, name) not in sites
        }
        sites.update(
            zip(new_sites, Partner.create(list(new_sites.values())), strict=True)
        )
        vals_list = []
        for contract_ref, contract in contracts.items():
            partner = contract["partner"]
            vals = {
                "takeover_ref": contract_ref,
                "partner_id": partner.id,
                "date_start": contract["start_date"],
                "date_signed": contract["signature_date"] or False,
                "site_ids": [
                    Command.set([sites[(partner.id, n)].id for n in contract["sites"]])
                ],
                "line_ids": [
                    Command.create(
                        {
                            "product_id": line["product"].id,
                            "quantity": line["quantity"],
                            "price_unit": line["price_unit"],
                        }
                    )
                    for _number, line in contract["lines"]
                ],
            }
            if contract["template"]:
                vals["template_id"] = contract["template"].id
            if contract["frequency"]:
                vals["invoicing_frequency"] = contract["frequency"]
            if contract["term_months"]:
                vals["duration"] = contract["term_months"]
                vals["duration_unit"] = "month"
            vals_list.append(vals)
        records = (
            self.env["service.contract"]
            .with_context(tracking_disable=True)
            .create(vals_list)
        )
        pairs = list(zip(records, contracts.items(), strict=True))
        records._take_over(
            {record.id: contract["invoiced_until"] for record, (_r, contract) in pairs},
            date_signed={
                record.id: contract["signature_date"]
                for record, (_r, contract) in pairs
            },
            reference={
                record.id: self.env._("Imported as %(ref)s", ref=ref)
                for record, (ref, _c) in pairs
            },
        )
        return records

    def _reopen(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Import Contracts"),
        }

    def action_view_contracts(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "service.contract",
            "view_mode": "list,form",
            "domain": [("id", "in", self.contract_ids.ids)],
            "name": self.env._("Contracts Imported"),
        }


class ServiceContractImportError(models.TransientModel):
    _name = "service.contract.import.error"
    _description = "Import Contracts: Error"
    _order = "row, id"

    wizard_id = fields.Many2one(
        "service.contract.import", required=True, ondelete="cascade"
    )
    row = fields.Integer(readonly=True)
    column = fields.Char(readonly=True)
    message = fields.Char(readonly=True)
