from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from jinguo.audit.services import UnmaskLimitReached, reveal
from jinguo.core import views as generic
from jinguo.core.actions import WorkflowActionView
from jinguo.ledger.models import Activity
from jinguo.people import forms, services, tables
from jinguo.people.actions import LOAN_ACTIONS
from jinguo.people.filters import person_filterset
from jinguo.people.models import Aid, Beneficiary, CivilizedPost, Honour, Loan, Person, Talent, Volunteer


def _person_save(view, form):
    return services.save_with_person(form, team_name=form.cleaned_data.get("team_name", ""))


def registry(model, form_class, table, kind: str | None, fields: list[str]):
    """The list, detail, edit, delete and import views of one registry (all declarations)."""

    class ListView(generic.ObjectListView):
        queryset = model.objects.all()
        export_through_spec = False  # lists export masked personal data

    ListView.table, ListView.import_kind = table, kind
    ListView.filterset = person_filterset(model)

    class DetailView(generic.ObjectDetailView):
        queryset = model.objects.all()
        template_name = "people/entry_detail.html"

        def get_extra_context(self, obj) -> dict:
            person = getattr(obj, "person", None)
            steps = LOAN_ACTIONS.buttons(obj, self.request.user) if isinstance(obj, Loan) else []
            activities = Activity.objects.visible_to(self.request.user).order_by("-start_date")[:100]
            return {"person": person, "masked": person.masked() if person else None, "loan_steps": steps,
                    "activities": activities, "aid_form": forms.AidForm(user=self.request.user),
                    "service_form": forms.ServiceForm(user=self.request.user), **getattr(self, "bound_forms", {})}

    DetailView.fields = fields

    class EditView(generic.ObjectEditView):
        queryset = model.objects.all()

        def save(self, form):
            return _person_save(self, form) if hasattr(form, "person_data") else form.save()

    EditView.form_class = form_class

    class DeleteView(generic.ObjectDeleteView):
        queryset = model.objects.all()

    views = {"list": ListView, "detail": DetailView, "edit": EditView, "delete": DeleteView}
    if kind:
        class ImportView(generic.ImportView):
            queryset = model.objects.all()
            import_kind = kind

        views["import"] = ImportView
    return views


REGISTRIES = {
    "beneficiary": registry(Beneficiary, forms.BeneficiaryForm, tables.BeneficiaryTable, "beneficiaries",
                            ["group", "since", "until", "note", "org"]),
    "talent": registry(Talent, forms.TalentForm, tables.TalentTable, "talents",
                       ["post_kind", "workplace", "post", "level", "education", "political_status", "speciality",
                        "appointed_on", "last_reviewed", "org"]),
    "volunteer": registry(Volunteer, forms.VolunteerForm, tables.VolunteerTable, "volunteers",
                          ["team", "skills", "joined_on", "org"]),
    "honour": registry(Honour, forms.HonourForm, tables.HonourTable, "honours",
                       ["award", "level", "year", "collective", "conferred_by", "document_no", "org"]),
    "civilizedpost": registry(CivilizedPost, forms.CivilizedPostForm, tables.CivilizedPostTable, None,
                              ["name", "host", "level", "created_on", "last_reviewed", "status", "org"]),
    "loan": registry(Loan, forms.LoanForm, tables.LoanTable, "loans",
                     ["amount", "bank", "term_months", "subsidy_rate", "subsidy_amount", "project", "applied_on",
                      "disbursed_on", "due_on", "repaid_on", "status", "org"]),
}


class PersonDetailView(LoginRequiredMixin, View):
    """A person across the lists the user may see; personal data in clear only with the role and a reason."""

    def get(self, request, pk):
        person = get_object_or_404(Person.objects.visible_to(request.user), pk=pk)
        return render(request, "people/person_detail.html", self.context(request, person))

    def post(self, request, pk):
        person = get_object_or_404(Person.objects.visible_to(request.user), pk=pk)
        try:
            reveal(person, actor=request.user, reason=request.POST.get("reason", ""),
                   fields=list(Person.PERSONAL_FIELDS))
        except ValidationError:
            messages.error(request, _("请填写查看原因。"))
            return redirect("people:person_detail", pk=pk)
        except UnmaskLimitReached as exc:  # said on the person's own page, which stays masked
            messages.error(request, str(exc))
            return redirect("people:person_detail", pk=pk)
        response = render(request, "people/person_detail.html", self.context(request, person, clear=True))
        response["Cache-Control"] = "no-store"
        return response

    def context(self, request, person, clear=False) -> dict:
        user = request.user
        lists = [(model._meta.verbose_name, model.objects.visible_to(user).filter(person=person))
                 for model in (Beneficiary, Talent, Volunteer, Honour, Loan)]
        return {"person": person, "masked": person.masked(), "clear": clear, "lists": lists,
                "can_unmask": Person.objects.visible_to(user, "unmask").filter(pk=person.pk).exists()}


def _one_per_id(persons) -> list[Person]:
    """One person per ID number (a city sees each county's record of the same person)."""
    seen: dict[str, Person] = {}
    for person in persons.order_by("pk"):
        seen.setdefault(person.id_hash, person)
    return list(seen.values())


class RemindersView(LoginRequiredMixin, View):
    """Double aid this year, talent reviews due, loan repayments due within 30 days."""

    def get(self, request):
        generic.require_scope(request.user, Beneficiary, "view")
        today = timezone.localdate()
        aids = Aid.objects.visible_to(request.user)
        doubled = services.double_aided(aids, today.year)
        return render(request, "people/reminders.html", {
            "today": today,
            "doubled": _one_per_id(Person.objects.visible_to(request.user).filter(id_hash__in=doubled)),
            "reviews": services.reviews_due(Talent.objects.visible_to(request.user), today).select_related(
                "person", "org"),
            "loans": services.loans_due(Loan.objects.visible_to(request.user), today).select_related(
                "person", "org").order_by("due_on"),
        })


class LoanStepView(WorkflowActionView):
    """审核 / 发放 / 还清 / 逾期 of a loan (the table `LOAN_ACTIONS`)."""

    workflow = LOAN_ACTIONS
    queryset = Loan.objects.all()
    lookup_action = "change"

    def post(self, request, pk, step):
        return super().post(request, pk, step)


def _entry_page_with_errors(request, registry: str, pk: int, **bound_forms):
    """The entry's page again with the bound form and its errors beside the fields (400), not a redirect."""
    view = REGISTRIES[registry]["detail"]()
    view.setup(request, pk=pk)
    view.bound_forms = bound_forms
    response = view.get(request, pk)
    response.status_code = 400
    return response


class AidAddView(LoginRequiredMixin, View):
    """Record one act of help: a form validates (finite, non-negative amount), the service writes and audits."""

    def post(self, request, pk):
        beneficiary = get_object_or_404(Beneficiary.objects.visible_to(request.user, "change"), pk=pk)
        form = forms.AidForm(request.POST, user=request.user)
        if not form.is_valid():
            return _entry_page_with_errors(request, "beneficiary", pk, aid_form=form)
        data = form.cleaned_data
        services.add_aid(beneficiary, on=data["on"], amount=data["amount"], goods=data["goods"],
                         activity=data["activity"])
        messages.success(request, _("已记录帮扶。"))
        return redirect(beneficiary.get_absolute_url())


class ServiceAddView(LoginRequiredMixin, View):
    """Hours a volunteer served at one of the unit's ledger activities (form → service, audited)."""

    def post(self, request, pk):
        volunteer = get_object_or_404(Volunteer.objects.visible_to(request.user, "change"), pk=pk)
        form = forms.ServiceForm(request.POST, user=request.user)
        if not form.is_valid():
            return _entry_page_with_errors(request, "volunteer", pk, service_form=form)
        services.record_service(volunteer, activity=form.cleaned_data["activity"], hours=form.cleaned_data["hours"])
        messages.success(request, _("已记录志愿服务。"))
        return redirect(volunteer.get_absolute_url())
