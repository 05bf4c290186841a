from django.contrib.auth import views as auth_views
from django.urls import include, path

from caremgmt.views import accounts, audit, mfa, session, staff

audit_patterns = [
    path("clients/", audit.client_log, name="client_log"),
    path("clients/export.csv", audit.client_log_csv, name="client_log_csv"),
    path("staff/", audit.staff_log, name="staff_log"),
    path("staff/export.csv", audit.staff_log_csv, name="staff_log_csv"),
]

urlpatterns = [
    path("login/", accounts.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Two-factor login (docs/mfa.md)
    path("login/verify/", mfa.verify, name="mfa_verify"),
    path("account/mfa/", mfa.setup, name="mfa_setup"),
    path("account/mfa/totp/", mfa.totp, name="mfa_totp"),
    path("account/mfa/recovery/", mfa.recovery, name="mfa_recovery"),
    path("account/mfa/recovery/codes.txt", mfa.recovery_download, name="mfa_recovery_download"),
    path("account/mfa/remove/", mfa.remove, name="mfa_remove"),
    path("account/passkeys/", include("django_otp_webauthn.urls", namespace="otp_webauthn")),
    path("office/security/", mfa.office_security, name="office_security"),
    path("office/security/reset/", mfa.reset_staff_mfa, name="mfa_reset"),
    # 職員管理 and the own password (docs/staff.md)
    path("account/password/", staff.password_change, name="password_change"),
    path("office/staff/", staff.staff_list, name="staff_list"),
    path("office/staff/new/", staff.staff_add, name="staff_add"),
    path("office/staff/issued/", staff.issued_password, name="staff_issued_password"),
    path("office/staff/<int:pk>/", staff.staff_edit, name="staff_edit"),
    path("office/staff/<int:pk>/retire/", staff.staff_retire, name="staff_retire"),
    path(
        "office/staff/<int:pk>/password/", staff.staff_password_reset, name="staff_password_reset"
    ),
    path("office/switch/", accounts.switch_office, name="switch_office"),
    path("session/keepalive/", session.keepalive, name="session_keepalive"),
    path("session/drafts/<int:pk>/discard/", session.draft_discard, name="form_draft_discard"),
    path("healthz", accounts.health, name="health"),
    path("clients/", include("clients.urls")),
    path("careplans/", include("careplans.urls")),
    path("billing/", include("billing.urls")),
    path("print/", include("caremgmt.printing.urls")),
    path("audit/", include((audit_patterns, "audit"))),
    path("monitoring/", include("monitoring.urls")),
    path("", include("monitoring.urls_home")),
]
