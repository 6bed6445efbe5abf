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
    path("imports/<int:pk>/mapping/", views.ImportMappingView.as_view(), name="importjob_mapping"),
    path("imports/<int:pk>/remap/", views.ImportRemapView.as_view(), name="importjob_remap"),
    path("imports/<int:pk>/discard/", views.ImportDiscardView.as_view(), name="importjob_discard"),
    path("attachments/<int:pk>/", views.AttachmentDownloadView.as_view(), name="attachment_download"),
]
