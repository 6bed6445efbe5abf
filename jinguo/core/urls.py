from django.urls import path

from jinguo.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("codes/", views.CodeTableListView.as_view(), name="codetable_list"),
    path("codes/<int:pk>/", views.CodeTableDetailView.as_view(), name="codetable_detail"),
    path("codes/items/add/", views.CodeItemEditView.as_view(), name="codeitem_add"),
    path("codes/items/<int:pk>/edit/", views.CodeItemEditView.as_view(), name="codeitem_edit"),
    path("imports/", views.ImportJobListView.as_view(), name="importjob_list"),
    path("imports/<int:pk>/", views.ImportJobView.as_view(), name="importjob_detail"),
    path("attachments/<int:pk>/", views.AttachmentDownloadView.as_view(), name="attachment_download"),
]
