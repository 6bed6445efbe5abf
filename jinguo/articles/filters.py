import django_filters
from django.utils.translation import gettext_lazy as _

from jinguo.articles.models import Article
from jinguo.core.filters import OrgSubtreeFilter, ScopedFilterSet

DATE = django_filters.widgets.forms.DateInput(attrs={"type": "date"})


class ArticleFilterSet(ScopedFilterSet):
    q_fields = ("title", "author", "sent_to_text")
    date_from = django_filters.DateFilter(label=_("报送日期自"), field_name="sent_on", lookup_expr="gte", widget=DATE)
    date_to = django_filters.DateFilter(label=_("至"), field_name="sent_on", lookup_expr="lte", widget=DATE)
    adopted = django_filters.ChoiceFilter(label=_("采用情况"), choices=[("1", _("已采用")), ("0", _("未采用"))],
                                          method="filter_adopted")
    within = OrgSubtreeFilter(label=_("报送单位（含下级）"))

    class Meta:
        model = Article
        fields = ["q", "date_from", "date_to", "adopted", "within"]

    def filter_adopted(self, queryset, name, value):
        if value not in ("0", "1"):
            return queryset
        from jinguo.articles.models import Adoption

        adopted = Adoption.objects.values("article")
        return queryset.filter(pk__in=adopted) if value == "1" else queryset.exclude(pk__in=adopted)
