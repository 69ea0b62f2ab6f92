from django.urls import path

from baifang.complaints import views

app_name = "complaints"

urlpatterns = [
    path("", views.complaint_list, name="list"),
    path("export/", views.complaint_export, name="export"),
    path("owners/", views.owner_choices, name="owner_choices"),
    path("new/", views.complaint_create, name="create"),
    path("report/", views.valid_report, name="report"),
    path("<int:pk>/", views.complaint_detail, name="detail"),
    path("<int:pk>/hand-on/", views.complaint_hand_on, name="hand_on"),
    path("<int:pk>/<slug:step>/", views.complaint_step, name="step"),
]
