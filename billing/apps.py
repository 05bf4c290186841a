from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = "給付管理"
    demo_loader = "billing.demo.load_demo_tickets"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from billing.fee_schedule import clear_fee_schedule_cache
        from caremgmt import models

        for model in (
            models.ServiceCode,
            models.ServiceType,
            models.CareLevelLimit,
            models.RegionalUnitPrice,
        ):
            post_save.connect(clear_fee_schedule_cache, sender=model, weak=False)
            post_delete.connect(clear_fee_schedule_cache, sender=model, weak=False)
