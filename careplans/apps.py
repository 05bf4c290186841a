from django.apps import AppConfig


class CareplansConfig(AppConfig):
    name = "careplans"
    verbose_name = "ケアプラン"
    demo_loader = "careplans.demo.load_demo_careplans"
