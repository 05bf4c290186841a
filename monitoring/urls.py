"""The monitoring app's URLs, one module per area under monitoring/routes/."""

from monitoring.routes import evaluation, hospital, records, support_log, worklist

app_name = "monitoring"

urlpatterns = [
    *worklist.urlpatterns,
    *records.urlpatterns,
    *evaluation.urlpatterns,
    *support_log.urlpatterns,
    *hospital.urlpatterns,
]
