from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = "モニタリング"
    demo_loader = "monitoring.demo.load_demo_monitoring"

    def ready(self) -> None:
        # Listeners of caremgmt.events.client_event: the automatic 支援経過 entries and the
        # work-queue refresh of the client.
        from monitoring import claim_proposals, signals_support_log, signals_work  # noqa: F401

        # The office claim's 運営基準減算 proposals for months without monitoring (billing
        # may not import monitoring, so monitoring registers into billing's registry).
        claim_proposals.register()
        # The claim page's 「記録と請求の相違」 of a 送信済み month (hospital records).
        from monitoring.hospital.evidence import register_claim_check

        register_claim_check()
