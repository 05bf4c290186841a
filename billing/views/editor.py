"""billing views: editor (see billing/views/__init__.py)."""

urlpatterns: list = []
