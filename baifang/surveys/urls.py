from django.urls import path

from baifang.surveys import views

app_name = "surveys"

urlpatterns = [
    path("", views.campaign_list, name="campaigns"),
    path("new/", views.campaign_create, name="campaign_create"),
    path("<int:pk>/", views.campaign_detail, name="campaign"),
    path("<int:pk>/edit/", views.campaign_edit, name="campaign_edit"),
    path("<int:pk>/do/<slug:name>/", views.campaign_transition, name="transition"),
    path("<int:pk>/recipients/add/", views.recipients_add, name="recipients_add"),
    path("<int:pk>/recipients/distribute/", views.recipients_distribute, name="recipients_distribute"),
    path("<int:pk>/recipients/<int:recipient_pk>/enter/", views.recipient_enter, name="enter"),
    path("<int:pk>/remind/", views.campaign_remind, name="remind"),
    path("<int:pk>/statistics/", views.campaign_stats, name="stats"),
    path("<int:pk>/letter/", views.campaign_letter, name="letter"),
    path("<int:pk>/letter.xlsx", views.campaign_letter_xlsx, name="letter_xlsx"),
    path("responses/<int:pk>/", views.response_detail, name="response"),
    path("templates/", views.template_list, name="templates"),
    path("templates/<int:pk>/", views.template_detail, name="template"),
    path("checks/", views.check_list, name="checks"),
    path("checks/new/<int:customer_pk>/", views.check_create, name="check_create"),
    path("answer/<str:token>/", views.answer, name="answer"),
]
