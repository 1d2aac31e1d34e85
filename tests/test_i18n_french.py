import importlib.util
import re
from datetime import date

from odoo import Command
from odoo.modules.module import get_manifest, get_module_path
from odoo.tests import tagged

from .common import ServiceContractCase


def _fr_typography():
    """tools/fr_typography.py, the check and fix of the French typography
    of i18n/fr.po (a script, not part of the add-on's Python package)."""
    path = f"{get_module_path('service_contract')}/tools/fr_typography.py"
    spec = importlib.util.spec_from_file_location("fr_typography", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@tagged("post_install", "-at_install")
class TestFrench(ServiceContractCase):
    """The French of the add-on: typography and plural forms."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")

    def test_no_break_space_before_colon_semicolon_question_exclamation(self):
        typography = _fr_typography()
        # The rule, on sentences and on what is not one.
        self.assertEqual(typography.faults("Montant\u00a0: 12"), [])
        self.assertEqual(typography.faults("Quel est le problème\u202f?"), [])
        self.assertEqual(typography.faults("Montant : 12"), [8])
        self.assertEqual(typography.faults("Merci!"), [5])
        self.assertEqual(typography.faults(": le contrat"), [0])
        for text in (
            "à 10:30",
            "https://example.com/?a=1",
            '<div style="margin: 0px;">',
            "Dupont &amp; fils",
            "{{ object.name or '' }}",
            "%(count)s",
        ):
            self.assertEqual(typography.faults(text), [], text)
        self.assertEqual(
            typography.fixed("Montant : 12 ; total!"),
            "Montant\u00a0: 12\u00a0; total\u00a0!",
        )
        # The translations: every sentence mark has its space.
        path = f"{get_module_path('service_contract')}/i18n/fr.po"
        with open(path, encoding="utf-8") as file:
            lines = file.read().split("\n")
        found, _lines = typography.process(lines, fix=False)
        self.assertEqual(
            [f"fr.po:{number}: {text[:80]}" for number, text in found],
            [],
            "Run python3 tools/fr_typography.py to add the non-breaking spaces.",
        )

    def _french(self, records):
        return records.with_context(lang="fr_FR")

    def test_apps_menu_reads_the_module_in_french(self):
        """The Apps menu shows the module's name and summary in the user's
        language: they are fields of base's record of the module
        (base.module_service_contract), translated by the add-on's own
        i18n/fr.po (its .pot carries the msgids), loaded with the French."""
        self.env["ir.module.module"]._load_module_terms(["service_contract"], ["fr_FR"])
        module = self.env.ref("base.module_service_contract")
        manifest = get_manifest("service_contract")
        english = module.with_context(lang="en_US").read(["shortdesc", "summary"])[0]
        self.assertEqual(
            (english["shortdesc"], english["summary"]),
            (manifest["name"], manifest["summary"]),
        )
        french = module.with_context(lang="fr_FR").read(["shortdesc", "summary"])[0]
        self.assertEqual(french["shortdesc"], "Contrats de service")
        self.assertEqual(
            french["summary"],
            "Contrats de maintenance et de service\u00a0: facturation récurrente, "
            "visites préventives, renouvellements et révisions de prix, avec un "
            "portail client",
        )

    def test_count_sentences_singular_for_one(self):
        """A count of one reads in the singular, in French and English."""
        contract = self._create_contract(
            visit_plan_ids=[
                Command.create({"name": "Entretien", "count_per_year": 1}),
                Command.create({"name": "Contrôle", "count_per_year": 2}),
            ]
        )
        one, two = contract.visit_plan_ids
        french = self._french(contract)
        self.assertEqual(french._visit_frequency(one), "1 visite par an")
        self.assertEqual(french._visit_frequency(two), "2 visites par an")
        self.assertEqual(contract._visit_frequency(one), "1 visit per year")
        day = date(2026, 5, 15)
        overdue = {"count": 1, "days": 30, "date": day}
        late = {"count": 1, "days": 15, "date": day}
        self.assertEqual(
            french._get_health_reason("overdue", overdue),
            "1 facture impayée plus de 30 jours après l'échéance "
            "(échue le 15/05/2026).",
        )
        self.assertEqual(
            french._get_health_reason("late_visit", late),
            "1 intervention toujours non réalisée 15 jours après sa fenêtre "
            "(terminée le 15/05/2026).",
        )
        self.assertIn(
            "2 factures impayées",
            french._get_health_reason("overdue", dict(overdue, count=2)),
        )
        # The dashboard's cards.
        Dashboard = self._french(self.env["service.contract.dashboard"])
        texts = {}
        for tile, _label in Dashboard._fields["tile"].selection:
            for count in (1, 2):
                card = Dashboard.new(
                    {
                        "tile": tile,
                        "company_id": self.env.company.id,
                        "record_count": count,
                        "record_count_secondary": count,
                    }
                )
                texts[tile, count] = card._get_tile_description()
        self.assertIn("sur 1 contrat en vigueur", texts["mrr", 1])
        self.assertIn("sur 2 contrats en vigueur", texts["mrr", 2])
        self.assertIn("1 autre contrat à surveiller", texts["at_risk", 1])
        self.assertIn("1 contrat perd de l'argent", texts["least_profitable", 1])
        self.assertIn("1 contrat ne sera pas reconduit", texts["term", 1])
        self.assertIn("2 ne seront pas reconduits", texts["term", 2])
        self.assertIn("de 1 client sous contrat", texts["overdue", 1])
        self.assertIn("de 2 clients sous contrat", texts["overdue", 2])
        # No "1 factures", "1 ne seront": a 1 followed by a plural word.
        plural_after_one = re.compile(
            r"\b1 (factures|clients|contrats|visites|interventions|autres"
            r"|ne seront|sont|seront|perdent)\b"
        )
        for (tile, count), text in texts.items():
            if count == 1:
                self.assertFalse(plural_after_one.search(text), (tile, text))
