from django.urls import path

from baifang.commerce import views

app_name = "commerce"
urlpatterns = [
    path("", views.order_list, name="orders"),
    path("<int:pk>/", views.order_detail, name="order"),
    path("deliveries/", views.delivery_list, name="deliveries"),
    path("products/", views.product_list, name="products"),
    path("service-jobs/", views.service_job_list, name="service_jobs"),
    path("service-jobs/new/", views.service_job_create, name="service_job_create"),
]
