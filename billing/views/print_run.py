"""billing views: the whole-month print run (see billing/views/__init__.py)."""

urlpatterns: list = []
