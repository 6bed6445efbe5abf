from django.urls import path

from jinguo.people import views

app_name = "people"
urlpatterns = [
    path("person/<int:pk>/", views.PersonDetailView.as_view(), name="person_detail"),
    path("reminders/", views.RemindersView.as_view(), name="reminders"),
    path("beneficiary/<int:pk>/aid/", views.AidAddView.as_view(), name="aid_add"),
    path("volunteer/<int:pk>/service/", views.ServiceAddView.as_view(), name="service_add"),
]


def registry_urls(name: str) -> list:
    """`people:<name>_list|add|detail|edit|delete|import`, the one naming scheme."""
    views_of = views.REGISTRIES[name]
    patterns = [
        path(f"{name}/", views_of["list"].as_view(), name=f"{name}_list"),
        path(f"{name}/add/", views_of["edit"].as_view(), name=f"{name}_add"),
        path(f"{name}/<int:pk>/", views_of["detail"].as_view(), name=f"{name}_detail"),
        path(f"{name}/<int:pk>/edit/", views_of["edit"].as_view(), name=f"{name}_edit"),
        path(f"{name}/<int:pk>/delete/", views_of["delete"].as_view(), name=f"{name}_delete"),
    ]
    if "import" in views_of:
        patterns.append(path(f"{name}/import/", views_of["import"].as_view(), name=f"{name}_import"))
    return patterns


for _name in views.REGISTRIES:
    urlpatterns += registry_urls(_name)

# After the registries' own pages: placed first, `loan/<pk>/<step>/` swallowed `loan/<pk>/edit/` and `/delete/`
# (LoanStepView refuses any step that is not a loan workflow step).
urlpatterns.append(path("loan/<int:pk>/<str:step>/", views.LoanStepView.as_view(), name="loan_step"))
