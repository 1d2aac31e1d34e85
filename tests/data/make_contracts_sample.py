"""Write contracts_200.csv, 200 running contracts in the shape of a former
tool's export (one row per service, ';' separated, French decimals and
dates mixed with ISO ones), and contracts_200_broken.csv, the same with 5
broken rows (BROKEN below). Deterministic: run it again, get the same files.

    python3 tests/data/make_contracts_sample.py
"""

import csv
import random
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).parent
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
TEMPLATES = ["Boiler maintenance (import)", "Heat pump maintenance (import)"]
PRODUCTS = [("IMP-BOILER", 180.0), ("IMP-HEATPUMP", 240.0), ("IMP-CALLOUT", 60.0)]
FREQUENCIES = ["mensuel", "trimestriel", "annuel", "month", "quarter", "year"]
SITES = ["Bâtiment A", "Bâtiment B", "Chaufferie", "Siège"]
# Row number (the header is row 1) -> (column, broken value).
BROKEN = {
    5: ("product", "NO-SUCH-PRODUCT"),
    40: ("start_date", "31/02/2025"),
    101: ("frequency", "weekly"),
    202: ("price_unit", "abc"),
    290: ("customer", ""),
}


def french(number):
    return f"{number:.2f}".replace(".", ",")


def rows():
    rng = random.Random(23)
    result = []
    for index in range(1, 201):
        customer = rng.randrange(1, 121)
        start = date(2019, 1, 1) + timedelta(days=rng.randrange(0, 2860))
        signed = start - timedelta(days=rng.randrange(0, 30))
        iso = rng.random() < 0.5
        contract = {
            "contract_ref": f"OLD-{index:04d}",
            "customer": f"Copropriété Import {customer:03d}",
            "customer_vat": "",
            "customer_ref": f"CLI{customer:04d}" if customer % 3 == 0 else "",
            "template": TEMPLATES[index % 2],
            "frequency": rng.choice(FREQUENCIES),
            "start_date": start.isoformat() if iso else start.strftime("%d/%m/%Y"),
            "term_months": rng.choice(["", "12", "24", "36"]),
            "signature_date": signed.isoformat() if rng.random() < 0.8 else "",
            "invoiced_until": rng.choice(["2026-11-01", "2026-12-01", "01/12/2026"]),
        }
        site = rng.choice(SITES)
        for code, price in rng.sample(PRODUCTS, rng.randrange(1, 3)):
            result.append(
                {
                    **contract,
                    "site": site,
                    "product": code,
                    "quantity": str(rng.randrange(1, 4)),
                    "price_unit": french(price) if rng.random() < 0.5 else f"{price}",
                }
            )
    return result


def write(path, data):
    with open(path, "w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, COLUMNS, delimiter=";", lineterminator="\n")
        writer.writeheader()
        writer.writerows(data)


def main():
    data = rows()
    write(HERE / "contracts_200.csv", data)
    broken = [dict(row) for row in data]
    for number, (column, value) in BROKEN.items():
        broken[number - 2][column] = value
    write(HERE / "contracts_200_broken.csv", broken)


if __name__ == "__main__":
    main()
