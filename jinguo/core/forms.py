"""Base forms: every choice of an org-owned record or org unit is limited to what the user may see."""

from django import forms

from jinguo.core.scope import ScopedQuerySet, ancestor_paths


class ScopedModelForm(forms.ModelForm):
    """ModelForm whose foreign-key choices only offer records visible to `user` (the action is "view").

    Without a user (command line), choices are limited to the subtree of `org` when given.
    """

    def __init__(self, *args, user=None, org=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.scope_org = org
        for field in self.fields.values():
            queryset = getattr(field, "queryset", None)
            if getattr(queryset, "org_scoped", False):
                field.queryset = self.limit_choices(queryset)
        if self.instance.pk is not None and hasattr(self.instance, "version"):
            # The version this page was drawn from travels with the form, so a save over someone else's newer
            # change is refused (core.models.EditConflict) instead of silently overwriting it.
            self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, required=False,
                                                        initial=self.instance.version)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("version"):
            self.instance.version = cleaned["version"]
        return cleaned

    def limit_choices(self, queryset: ScopedQuerySet) -> ScopedQuerySet:
        if self.user is not None:
            return queryset.visible_to(self.user, "view")
        if self.scope_org is not None and isinstance(queryset, ScopedQuerySet):
            model = queryset.model
            prefix = f"{model.scope_org_field}__path" if model.scope_org_field else "path"
            # The unit itself and below, plus its ancestors (a parent may sit above the importing unit).
            from django.db.models import Q

            ancestors = ancestor_paths(self.scope_org.path)
            return queryset.filter(Q(**{f"{prefix}__startswith": self.scope_org.path})
                                   | Q(**{f"{prefix}__in": ancestors}))
        return queryset


class IdNumberField(forms.CharField):
    """A 居民身份证号, checked (GB 11643) and returned in canonical form; 15-digit numbers are converted."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)

    def clean(self, value):
        from jinguo.core.idcard import normalize_id_number

        value = super().clean(value)
        return normalize_id_number(value) if value else ""


class PhoneField(forms.CharField):
    """A mobile or landline number, checked by shape."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("max_length", 30)
        super().__init__(**kwargs)

    def clean(self, value):
        from jinguo.core.idcard import normalize_phone

        value = super().clean(value)
        return normalize_phone(value) if value else ""
