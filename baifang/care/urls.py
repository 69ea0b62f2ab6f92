from django.urls import path

from baifang.care import views

app_name = "care"
urlpatterns = [
    path("", views.tasks, name="tasks"),
    path("tasks/<int:pk>/<str:transition>/", views.task_change, name="task_change"),
    path("gifts/", views.gifts, name="gifts"),
    path("gifts/new/", views.gift_new, name="gift_new"),
    path("templates/", views.templates, name="templates"),
    path("templates/new/", views.template_form, name="template_new"),
    path("templates/<int:pk>/", views.template_form, name="template_edit"),
    path("batches/", views.batches, name="batches"),
    path("batches/new/", views.batch_new, name="batch_new"),
    path("batches/<int:pk>/", views.batch, name="batch"),
    path("batches/<int:pk>/retry/", views.batch_retry, name="batch_retry"),
    path("contacts/<int:contact_pk>/opt-out/", views.opt_out, name="opt_out"),
    path("feedback/", views.feedback, name="feedback"),
    path("feedback/new/", views.feedback_new, name="feedback_new"),
    path("feedback/<int:pk>/", views.feedback_detail, name="feedback_detail"),
    path("feedback/quota/", views.quota, name="quota"),
]
