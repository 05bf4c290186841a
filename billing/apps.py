from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = "給付管理"
    demo_loader = "billing.demo.load_demo_tickets"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from billing.fee_schedule import clear_fee_schedule_cache
        from billing.office_claim.kago_pdf import PRINT_KIND as KAGO_PRINT_KIND
        from billing.office_claim.who import sees_office_claim
        from caremgmt import models
        from caremgmt.printing.registry import register_kind_check

        # 過誤申立書: several clients in one job (no client id) — whole-office roles only
        register_kind_check(KAGO_PRINT_KIND, sees_office_claim)

        for model in (
            models.ServiceCode,
            models.ServiceType,
            models.CareLevelLimit,
            models.RegionalUnitPrice,
        ):
            post_save.connect(clear_fee_schedule_cache, sender=model, weak=False)
            post_delete.connect(clear_fee_schedule_cache, sender=model, weak=False)
