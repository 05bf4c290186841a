"""Auth signal handlers: start the absolute session clock at login."""

import time

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from caremgmt.middleware import SESSION_STARTED_KEY


@receiver(user_logged_in)
def start_session_clock(sender, request, user, **kwargs) -> None:  # noqa: ANN001
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_STARTED_KEY] = time.time()
