"""billing views: delivery (see billing/views/__init__.py)."""

urlpatterns: list = []
