from django.conf import settings
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from jinguo.api import extra_urls, router

api_urls = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    *[path(route, view.as_view(), name=route.strip("/")) for route, view in extra_urls],
    *router.urls,
]

urlpatterns = [
    path("", include("jinguo.core.urls")),
    path("accounts/", include("jinguo.accounts.urls")),
    path("orgs/", include("jinguo.orgs.urls")),
    path("ledger/", include("jinguo.ledger.urls")),
    path("petitions/", include("jinguo.petitions.urls")),
    path("reports/", include("jinguo.reports.urls")),
    path("people/", include("jinguo.people.urls")),
    path("monitoring/", include("jinguo.monitoring.urls")),
    path("grassroots/", include("jinguo.grassroots.urls")),
    path("articles/", include("jinguo.articles.urls")),
    path("audit/", include("jinguo.audit.urls")),
    path("api/", include((api_urls, "api"))),
    path("favicon.ico", RedirectView.as_view(url=static("jinguo/favicon.svg"), permanent=True)),
]

handler400 = "jinguo.core.views.bad_request"
handler403 = "jinguo.core.views.forbidden"
handler404 = "jinguo.core.views.not_found"
handler500 = "jinguo.core.views.server_error"

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
