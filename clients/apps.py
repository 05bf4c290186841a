from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "clients"
    verbose_name = "利用者"
    demo_loader = "clients.demo.load_demo_clients"
