"""Plan pages."""

app_name = "plans"
urlpatterns: list = []
