from django.urls import path

from jinguo.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("summaries/", views.SummaryListView.as_view(), name="summary_list"),
    path("summaries/add/", views.SummaryCreateView.as_view(), name="summary_add"),
    path("summaries/<int:pk>/", views.SummaryDetailView.as_view(), name="summary_detail"),
    path("summaries/<int:pk>/download.<str:fmt>", views.SummaryDownloadView.as_view(), name="summary_download"),
    path("summaries/templates/", views.SummaryTemplateListView.as_view(), name="template_list"),
    path("summaries/templates/add/", views.SummaryTemplateUploadView.as_view(), name="template_add"),
    path("return/", views.ReturnView.as_view(), name="return"),
]
