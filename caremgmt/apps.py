from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "caremgmt"
    verbose_name = "基盤"
    demo_loader = "caremgmt.demo.load_demo_office"

    def ready(self) -> None:
        from caremgmt import mfa, signals  # noqa: F401

        mfa.connect_device_signals()
