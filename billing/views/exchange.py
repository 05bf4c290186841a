"""billing views: exchange (see billing/views/__init__.py)."""

urlpatterns: list = []
