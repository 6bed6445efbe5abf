from django.urls import path

from jinguo.petitions import views

app_name = "petitions"
urlpatterns = [
    path("", views.CaseListView.as_view(), name="case_list"),
    path("add/", views.CaseAddView.as_view(), name="case_add"),
    path("import/", views.CaseImportView.as_view(), name="case_import"),
    path("deadlines/", views.DeadlinesView.as_view(), name="deadlines"),
    path("statistics/", views.StatisticsView.as_view(), name="statistics"),
    path("limits/add/", views.TimeLimitsEditView.as_view(), name="timelimits_add"),
    path("limits/<int:pk>/", views.TimeLimitsEditView.as_view(), name="timelimits_edit"),
    path("<int:pk>/", views.CaseDetailView.as_view(), name="case_detail"),
    path("<int:pk>/edit/", views.CaseEditView.as_view(), name="case_edit"),
    path("<int:pk>/unmask/", views.UnmaskView.as_view(), name="case_unmask"),
    path("<int:pk>/form.docx", views.RegistrationFormView.as_view(), name="case_form"),
    path("<int:pk>/dv/", views.DomesticViolenceView.as_view(), name="case_dv"),
    path("<int:pk>/attachments/", views.CaseAttachView.as_view(), name="case_attach"),
    path("<int:pk>/<str:action>/", views.CaseActionView.as_view(), name="case_action"),
    path("assignments/<int:pk>/<str:action>/", views.AssignmentActionView.as_view(), name="assignment_action"),
    path("referrals/<int:pk>/feedback/", views.ReferralFeedbackView.as_view(), name="referral_feedback"),
]
