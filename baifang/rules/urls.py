from django.urls import path

from baifang.rules import views

app_name = "rules"

urlpatterns = [
    path("", views.due_list, name="due"),
    path("matrix/", views.matrix, name="matrix"),
    path("rules/", views.rule_list, name="list"),
    path("rules/<int:pk>/edit/", views.rule_edit, name="edit"),
    path("return-rules/new/", views.return_rule_edit, name="return_rule_create"),
    path("return-rules/<int:pk>/edit/", views.return_rule_edit, name="return_rule_edit"),
    path("special/<int:customer_pk>/new/", views.raise_special, name="special_create"),
    path("special/<int:pk>/cancel/", views.cancel_special, name="special_cancel"),
]
