"""The First Steps block of the settings, in French (tools/test runs this
folder on the French demo database)."""

from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestFrenchSettings(TransactionCase):
    def test_first_steps_in_french(self):
        arch = (
            self.env["res.config.settings"]
            .with_context(lang="fr_FR")
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        for text in (
            "Premiers pas",
            "Séquence des contrats",
            "Journal de facturation",
            "Modèles de contrat",
            "Techniciens",
            "choisissez Technicien sous Contrats de service",
        ):
            self.assertIn(text, arch)
        self.assertNotIn("First Steps", arch)
