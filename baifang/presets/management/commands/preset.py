"""`baifang preset list` / `baifang preset load NAME`: industry presets (R-PRESET-1)."""

from django.core.management.base import BaseCommand, CommandError

from baifang.presets import loader


class Command(BaseCommand):
    help = "List or load industry presets (schemes, tiers, seasons, visit rules)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["list", "load"])
        parser.add_argument("name", nargs="?")

    def handle(self, *args, action, name, **options):
        presets = loader.available()
        if action == "list":
            for code, data in presets.items():
                self.stdout.write(f"{code:20} {data['name']}  ({data['source']})")
            return
        if not name:
            raise CommandError("Name a preset: baifang preset load NAME (see baifang preset list).")
        if name not in presets:
            raise CommandError(f"Unknown preset {name!r}; available: {', '.join(presets)}")
        result = loader.load(name)
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {name}: {result.schemes} schemes, {result.tiers} tiers, {result.seasons} seasons, {result.rules} rules, "
                f"{result.return_rules} return-visit rules, "
                f"{result.plan_policies} plan policies, {result.rhythm_steps} month-rhythm steps, "
                f"{result.care} care rules/templates/quotas (existing ones kept)."
            )
        )
