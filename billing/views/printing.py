"""billing views: printing (see billing/views/__init__.py)."""

urlpatterns: list = []
