from django.urls import path

from baifang.tiers import views

app_name = "tiers"

urlpatterns = [
    path("", views.scheme_list, name="list"),
    path("<int:pk>/", views.scheme_detail, name="scheme"),
    path("<int:pk>/rerate/", views.batch_create, name="batch_create"),
    path("tier/<int:pk>/edit/", views.tier_edit, name="tier_edit"),
    path("batches/<int:pk>/", views.batch_detail, name="batch"),
    path("screenings/", views.screening_list, name="screenings"),
    path("screenings/new/<int:customer_pk>/", views.screening_create, name="screening_create"),
    path("screenings/<int:pk>/", views.screening_detail, name="screening"),
    path("screenings/<int:pk>/evidence/<slug:code>/", views.screening_evidence, name="screening_evidence"),
    path("override/<int:customer_pk>/<int:scheme_pk>/", views.override, name="override"),
]
