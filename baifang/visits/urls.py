from django.urls import path

from baifang.visits import views, views_followup

app_name = "visits"

urlpatterns = [
    path("", views.today, name="today"),
    path("review/", views.review_queue, name="review_queue"),
    path("flags/", views.flags, name="flags"),
    path("customers/<int:customer_pk>/check-in/", views.check_in, name="check_in"),
    path("customers/<int:customer_pk>/touch/", views.log_touch, name="log_touch"),
    path("<int:pk>/", views.visit_detail, name="detail"),
    path("<int:pk>/check-out/", views.check_out, name="check_out"),
    path("<int:pk>/record/", views.record_edit, name="record"),
    path("<int:pk>/review/", views.review, name="review"),
    path("<int:pk>/decide/", views.decide, name="decide"),
    path("<int:pk>/photos/<int:photo_pk>/", views.visit_photo, name="photo"),
    path("<int:pk>/signature/<str:who>/", views.visit_signature, name="signature"),
    path("<int:pk>/questions/new/", views_followup.question_new, name="question_new"),
    path("customers/<int:customer_pk>/appointment/", views_followup.appointment_new, name="appointment_new"),
    path("appointments/<int:pk>/", views_followup.appointment_detail, name="appointment"),
    path("appointments/<int:pk>/change/", views_followup.appointment_change, name="appointment_change"),
    path("appointments/<int:pk>/cancel/", views_followup.appointment_cancel, name="appointment_cancel"),
    path("questions/", views_followup.questions, name="questions"),
    path("questions/<int:pk>/", views_followup.question_detail, name="question"),
    path("commitments/<int:pk>/", views_followup.commitment_detail, name="commitment"),
    path("locations/", views_followup.location_queue, name="locations"),
    path("locations/<int:pk>/", views_followup.location_decide, name="location_decide"),
]
