"""Load (or refresh) the demo office. Idempotent; every app contributes its own demo data."""

from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "デモ用の事業所・職員・利用者を登録します（何度実行しても同じ結果になります）。"

    def handle(self, *args, **options) -> None:  # noqa: ANN002, ANN003
        login_lines: list[str] = []
        for config in apps.get_app_configs():
            loader_path = getattr(config, "demo_loader", None)
            if not loader_path:
                continue
            module_path, function_name = loader_path.rsplit(".", 1)
            result = getattr(import_module(module_path), function_name)()
            if config.name == "caremgmt":
                login_lines = result
        self.stdout.write(self.style.SUCCESS("デモデータを読み込みました。"))
        self.stdout.write("")
        self.stdout.write("  http://127.0.0.1:8000 にログインできます（パスワードは全員共通）:")
        self.stdout.write(f"  パスワード: {settings.DEMO_PASSWORD}")
        for line in login_lines:
            self.stdout.write(line)
        self.stdout.write("")
