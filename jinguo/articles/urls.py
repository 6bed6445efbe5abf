from django.urls import path

from jinguo.articles import views

app_name = "articles"
urlpatterns = [
    path("", views.ArticleListView.as_view(), name="article_list"),
    path("add/", views.ArticleEditView.as_view(), name="article_add"),
    path("import/", views.ArticleImportView.as_view(), name="article_import"),
    path("inbox/", views.InboxView.as_view(), name="inbox"),
    path("ranking/", views.RankingView.as_view(), name="ranking"),
    path("adoption/<int:pk>/withdraw/", views.AdoptionWithdrawView.as_view(), name="adoption_withdraw"),
    path("<int:pk>/", views.ArticleDetailView.as_view(), name="article_detail"),
    path("<int:pk>/edit/", views.ArticleEditView.as_view(), name="article_edit"),
    path("<int:pk>/delete/", views.ArticleDeleteView.as_view(), name="article_delete"),
    path("<int:pk>/attachments/", views.ArticleAttachView.as_view(), name="article_attach"),
    path("<int:pk>/<str:action>/", views.ArticleActionView.as_view(), name="article_action"),
]
