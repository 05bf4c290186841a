from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "clients"
    verbose_name = "利用者"
    demo_loader = "clients.demo.load_demo_clients"

    def ready(self) -> None:
        # Print jobs carry a client id; only those who may see the client may see its prints.
        from caremgmt.printing.registry import model_client_check, register_client_check

        register_client_check(model_client_check("clients.Client"))
