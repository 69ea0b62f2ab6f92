"""REST API for plans (filled in by the plans API work)."""

urlpatterns: list = []
