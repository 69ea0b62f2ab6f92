from django.urls import path

from baifang.customers import views

app_name = "customers"

urlpatterns = [
    path("", views.customer_list, name="list"),
    path("new/", views.customer_create, name="create"),
    path("export.xlsx", views.customer_export, name="export"),
    path("import/", views.customer_import, name="import"),
    path("import/<int:pk>/", views.customer_import_batch, name="import_batch"),
    path("import/<int:pk>/confirm/", views.customer_import_confirm, name="import_confirm"),
    path("import/<int:pk>/errors.xlsx", views.customer_import_errors, name="import_errors"),
    path("handover/", views.handover, name="handover"),
    path("handover/<int:pk>/undo/", views.handover_undo, name="handover_undo"),
    path("lookup/", views.customer_lookup, name="lookup"),
    path("access/", views.access_list, name="access"),
    path("access/new/", views.access_request_create, name="access_create_unit"),
    path("access/<int:pk>/<str:decision>/", views.access_decide, name="access_decide"),
    path("<int:pk>/", views.customer_detail, name="detail"),
    path("<int:pk>/edit/", views.customer_edit, name="edit"),
    path("<int:pk>/register/", views.customer_register, name="register"),
    path("<int:pk>/reassign/", views.customer_reassign, name="reassign"),
    path("<int:pk>/request-access/", views.access_request_create, name="access_create"),
    path("<int:pk>/contacts/new/", views.contact_create, name="contact_create"),
    path("<int:pk>/contacts/<int:contact_pk>/edit/", views.contact_edit, name="contact_edit"),
    path("<int:pk>/competitors/new/", views.competitor_create, name="competitor_create"),
    path("<int:pk>/changes/new/", views.change_create, name="change_create"),
    path("<int:pk>/correspondence/new/", views.correspondence_create, name="correspondence_create"),
    path(
        "<int:pk>/correspondence/<int:item_pk>/file/", views.correspondence_file, name="correspondence_file"
    ),
]
