from django.urls import path

from baifang.ops import views

app_name = "ops"

urlpatterns = [
    path("jobs/", views.job_list, name="jobs"),
    path("jobs/<int:pk>/", views.job_detail, name="job"),
    path("jobs/<int:pk>/retry/", views.job_retry, name="job-retry"),
    path("jobs/<int:pk>/dismiss/", views.job_dismiss, name="job-dismiss"),
    path("personal/", views.personal_home, name="personal"),
    path("personal/contacts/<int:pk>/", views.personal_contact, name="personal-contact"),
]
