from django.urls import path

from baifang.commerce import views

app_name = "commerce"
urlpatterns = [
    path("", views.order_list, name="orders"),
    path("<int:pk>/", views.order_detail, name="order"),
    path("deliveries/", views.delivery_list, name="deliveries"),
    path("products/", views.product_list, name="products"),
]
