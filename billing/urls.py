from billing.views import delivery, editor, exchange, printing

app_name = "billing"

urlpatterns = [
    *editor.urlpatterns,
    *delivery.urlpatterns,
    *printing.urlpatterns,
    *exchange.urlpatterns,
]
