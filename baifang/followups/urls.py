"""Follow-up pages. They keep the paths they had under /visits/ (phones hold links to them); the names
moved to the ``followups:`` namespace."""

from django.urls import path

from baifang.followups import record_views, showroom_views, views

app_name = "followups"

urlpatterns = [
    path("<int:pk>/questions/new/", views.question_new, name="question_new"),
    path("customers/<int:customer_pk>/appointment/", views.appointment_new, name="appointment_new"),
    path("appointments/<int:pk>/", views.appointment_detail, name="appointment"),
    path("appointments/<int:pk>/change/", views.appointment_change, name="appointment_change"),
    path("appointments/<int:pk>/cancel/", views.appointment_cancel, name="appointment_cancel"),
    path("questions/", views.questions, name="questions"),
    path("punctuality/", views.punctuality, name="punctuality"),
    path("questions/<int:pk>/", views.question_detail, name="question"),
    path("commitments/<int:pk>/", views.commitment_detail, name="commitment"),
    path("showrooms/", showroom_views.showrooms, name="showrooms"),
    path("showrooms/<int:pk>/", showroom_views.showroom_today, name="showroom"),
    path("showrooms/<int:pk>/register/", showroom_views.registration_new, name="registration_new"),
    path("showrooms/<int:pk>/reports/", showroom_views.showroom_reports, name="showroom_reports"),
    path("registrations/<int:pk>/", showroom_views.registration_detail, name="registration"),
    path("customers/<int:customer_pk>/follow-up/", record_views.record_new, name="record_new"),
    path("customers/<int:customer_pk>/stage/", record_views.stage_move, name="stage_move"),
    path("follow-ups/<int:pk>/", record_views.record_detail, name="record"),
]
