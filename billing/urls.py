from billing.views import benefit, checks, delivery, editor, exchange, print_run, printing

app_name = "billing"

urlpatterns = [
    *editor.urlpatterns,
    *delivery.urlpatterns,
    *printing.urlpatterns,
    *print_run.urlpatterns,
    *exchange.urlpatterns,
    *checks.urlpatterns,
    *benefit.urlpatterns,
]
