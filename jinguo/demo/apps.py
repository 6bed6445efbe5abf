from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo and synthetic data (`jinguo load_demo`, `jinguo synth`): the one app allowed to know every domain, so it
    sits above them all and below only the project files (DESIGN.md layers). No models of its own."""

    name = "jinguo.demo"
    label = "demo"
    verbose_name = _("演示与合成数据")
