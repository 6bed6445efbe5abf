from django.urls import path

from jinguo.ledger import views

app_name = "ledger"
urlpatterns = [
    path("", views.ActivityListView.as_view(), name="activity_list"),
    path("add/", views.ActivityEditView.as_view(), name="activity_add"),
    path("import/", views.ActivityImportView.as_view(), name="activity_import"),
    path("calendar/", views.CalendarView.as_view(), name="calendar"),
    path("funds/", views.FundsView.as_view(), name="funds"),
    path("<int:pk>/", views.ActivityDetailView.as_view(), name="activity_detail"),
    path("<int:pk>/edit/", views.ActivityEditView.as_view(), name="activity_edit"),
    path("<int:pk>/delete/", views.ActivityDeleteView.as_view(), name="activity_delete"),
    path("<int:pk>/attachments/", views.AttachmentUploadView.as_view(), name="activity_attach"),
    path("plans/", views.PlanItemListView.as_view(), name="planitem_list"),
    path("plans/add/", views.PlanItemEditView.as_view(), name="planitem_add"),
    path("plans/<int:pk>/", views.PlanItemDetailView.as_view(), name="planitem_detail"),
    path("plans/<int:pk>/edit/", views.PlanItemEditView.as_view(), name="planitem_edit"),
    path("plans/<int:pk>/delete/", views.PlanItemDeleteView.as_view(), name="planitem_delete"),
    path("measures/", views.MeasureListView.as_view(), name="measure_list"),
    path("measures/add/", views.MeasureEditView.as_view(), name="measure_add"),
    path("measures/<int:pk>/edit/", views.MeasureEditView.as_view(), name="measure_edit"),
]
