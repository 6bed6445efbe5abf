from django.urls import path

from jinguo.monitoring import views

app_name = "monitoring"
urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("submissions/", views.SubmissionListView.as_view(), name="submission_list"),
    path("submissions/<int:pk>/", views.submission_detail, name="submission_detail"),
    path("submissions/<int:pk>/<str:action>/", views.SubmissionActionView.as_view(), name="submission_action"),
    path("grid/<int:dataset_pk>/<str:period>/", views.GridView.as_view(), name="grid"),
    path("attainment/", views.AttainmentView.as_view(), name="attainment"),
    path("indicators/", views.IndicatorListView.as_view(), name="indicator_list"),
    path("indicators/add/", views.IndicatorEditView.as_view(), name="indicator_add"),
    path("indicators/<int:pk>/edit/", views.IndicatorEditView.as_view(), name="indicator_edit"),
    path("rules/", views.RuleListView.as_view(), name="validationrule_list"),
    path("rules/add/", views.RuleEditView.as_view(), name="validationrule_add"),
    path("rules/<int:pk>/edit/", views.RuleEditView.as_view(), name="validationrule_edit"),
]
