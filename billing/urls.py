from billing.views import checks, delivery, editor, exchange, presubmission, print_run, printing

app_name = "billing"

urlpatterns = [
    *presubmission.urlpatterns,
    *editor.urlpatterns,
    *delivery.urlpatterns,
    *printing.urlpatterns,
    *print_run.urlpatterns,
    *exchange.urlpatterns,
    *checks.urlpatterns,
]
