"""Plan pages (R-PLAN-1..5)."""

from django.urls import path

from baifang.plans import views

app_name = "plans"
urlpatterns = [
    path("", views.index, name="index"),
    path("approvals/", views.approvals, name="approvals"),
    path("report/", views.report, name="report"),
    path("open/<str:kind>/<str:day>/", views.open_period, name="open"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/generate/", views.generate, name="generate"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/reopen/", views.reopen, name="reopen"),
    path("<int:pk>/summary/", views.summary, name="summary"),
    path("<int:pk>/decide/<str:decision>/", views.decide, name="decide"),
    path("<int:pk>/items/new/", views.item_form, name="item_add"),
    path("<int:pk>/items/<int:item_pk>/", views.item_form, name="item_edit"),
    path("<int:pk>/items/<int:item_pk>/move/", views.item_move, name="item_move"),
    path("<int:pk>/items/<int:item_pk>/remove/", views.item_remove, name="item_remove"),
]
