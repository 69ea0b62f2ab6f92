from django.urls import path

from baifang.visits import offline, views

app_name = "visits"

urlpatterns = [
    path("", views.today, name="today"),
    path("review/", views.review_queue, name="review_queue"),
    path("flags/", views.flags, name="flags"),
    path("offline/", offline.offline_page, name="offline"),
    path("offline/day/", offline.offline_day, name="offline_day"),
    path("customers/<int:customer_pk>/check-in/", views.check_in, name="check_in"),
    path("customers/<int:customer_pk>/touch/", views.log_touch, name="log_touch"),
    path("<int:pk>/", views.visit_detail, name="detail"),
    path("<int:pk>/check-out/", views.check_out, name="check_out"),
    path("<int:pk>/record/", views.record_edit, name="record"),
    path("<int:pk>/review/", views.review, name="review"),
    path("<int:pk>/decide/", views.decide, name="decide"),
    path("<int:pk>/photos/<int:photo_pk>/", views.visit_photo, name="photo"),
    path("<int:pk>/signature/<str:who>/", views.visit_signature, name="signature"),
    path("locations/", views.location_queue, name="locations"),
    path("locations/<int:pk>/", views.location_decide, name="location_decide"),
]
