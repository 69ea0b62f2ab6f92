from django.urls import path

from baifang.receivables import views

app_name = "receivables"
urlpatterns = [
    path("", views.ageing, name="ageing"),
    path("ageing.xlsx", views.ageing_export, name="ageing-export"),
    path("invoices/", views.invoice_list, name="invoices"),
    path("invoices/<int:pk>/", views.invoice_detail, name="invoice"),
    path("payments/", views.payment_list, name="payments"),
    path("credit/", views.credit_list, name="credits"),
    path("credit/<int:pk>/", views.credit_detail, name="credit"),
    path("credit/<int:pk>/act/", views.credit_act, name="credit-act"),
    path("credit/new/<int:customer_pk>/", views.credit_propose, name="credit-propose"),
]
