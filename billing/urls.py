from billing.views import (
    actuals,
    benefit,
    checks,
    delivery,
    editor,
    exchange,
    presubmission,
    print_run,
    printing,
    returns,
)
from billing.views import office_claim as office_claim_views
from billing.views import office_claim_kago as office_claim_kago_views

app_name = "billing"

urlpatterns = [
    *presubmission.urlpatterns,
    *editor.urlpatterns,
    *delivery.urlpatterns,
    *printing.urlpatterns,
    *print_run.urlpatterns,
    *exchange.urlpatterns,
    *checks.urlpatterns,
    *office_claim_views.urlpatterns,
    *office_claim_kago_views.urlpatterns,
    *actuals.urlpatterns,
    *benefit.urlpatterns,
    *returns.urlpatterns,
]
