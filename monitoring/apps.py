from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = "モニタリング"
    demo_loader = "monitoring.demo.load_demo_monitoring"

    def ready(self) -> None:
        # Listeners of caremgmt.events.client_event: the automatic 支援経過 entries and the
        # work-queue refresh of the client.
        from monitoring import signals_support_log, signals_work  # noqa: F401
