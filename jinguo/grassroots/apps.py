from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GrassrootsConfig(AppConfig):
    name = "jinguo.grassroots"
    label = "grassroots"
    verbose_name = _("基层组织建设")
