"""Follow-up pages. They keep the paths they had under /visits/ (phones hold links to them); the names
moved to the ``followups:`` namespace."""

from django.urls import path

from baifang.followups import opportunity_views, record_views, showroom_views, views

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
    path("opportunities/", opportunity_views.opportunity_list, name="opportunities"),
    path("opportunities/<int:pk>/", opportunity_views.opportunity_detail, name="opportunity"),
    path("opportunities/<int:pk>/edit/", opportunity_views.opportunity_edit, name="opportunity_edit"),
    path("opportunities/<int:pk>/lose/", opportunity_views.opportunity_lose, name="opportunity_lose"),
    path(
        "customers/<int:customer_pk>/opportunity/", opportunity_views.opportunity_new, name="opportunity_new"
    ),
    path("customers/<int:customer_pk>/lost-order/", opportunity_views.lost_order_new, name="lost_order_new"),
    path("<int:pk>/opportunity/", opportunity_views.opportunity_from_visit, name="opportunity_from_visit"),
    path("lost-orders/", opportunity_views.lost_orders, name="lost_orders"),
    path("lost-orders/export/", opportunity_views.lost_orders_export, name="lost_orders_export"),
]
