from django.urls import path

from jinguo.orgs import views

app_name = "orgs"
urlpatterns = [
    path("", views.OrgTreeView.as_view(), name="tree"),
    path("units/", views.OrgUnitListView.as_view(), name="orgunit_list"),
    path("units/add/", views.OrgUnitEditView.as_view(), name="orgunit_add"),
    path("units/import/", views.OrgUnitImportView.as_view(), name="orgunit_import"),
    path("units/<int:pk>/", views.OrgUnitDetailView.as_view(), name="orgunit_detail"),
    path("units/<int:pk>/edit/", views.OrgUnitEditView.as_view(), name="orgunit_edit"),
    path("units/<int:pk>/delete/", views.OrgUnitDeleteView.as_view(), name="orgunit_delete"),
]
