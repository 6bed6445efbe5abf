from django.urls import path

from jinguo.grassroots import views

app_name = "grassroots"
urlpatterns = [
    path("", views.OrgProfileListView.as_view(), name="orgprofile_list"),
    path("add/", views.OrgProfileEditView.as_view(), name="orgprofile_add"),
    path("import/", views.OrgProfileImportView.as_view(), name="orgprofile_import"),
    path("survey/", views.SurveyView.as_view(), name="survey"),
    path("reminders/", views.RemindersView.as_view(), name="reminders"),
    path("<int:pk>/", views.OrgProfileDetailView.as_view(), name="orgprofile_detail"),
    path("<int:pk>/edit/", views.OrgProfileEditView.as_view(), name="orgprofile_edit"),
    path("<int:pk>/delete/", views.OrgProfileDeleteView.as_view(), name="orgprofile_delete"),
]
