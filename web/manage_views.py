"""User screens under /manage/users/: managers and admins list users with
their mailing counts and block or unblock them; admins also create, edit and
delete users."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, ListView

from core import roles
from core.models import User
from core.selectors import can_block, can_list_users, users_visible_to
from core.services.accounts.users import user_create, user_delete, user_update
from core.services.users import user_set_blocked
from web.account_forms import BlockForm, UserCreateForm, UserEditForm


class ListsUsersMixin(LoginRequiredMixin, UserPassesTestMixin):
    def test_func(self):
        return can_list_users(self.request.user)


class AdminOnlyMixin(LoginRequiredMixin, UserPassesTestMixin):
    def test_func(self):
        return self.request.user.is_superuser


class UserListView(ListsUsersMixin, ListView):
    template_name = "manage/user_list.html"
    context_object_name = "people"
    paginate_by = 25

    def get_queryset(self):
        people = users_visible_to(self.request.user)
        query = self.request.GET.get("q", "").strip()
        if query:
            people = people.filter(Q(email__icontains=query) | Q(full_name__icontains=query))
        return people

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        role_names = dict(roles.CHOICES)
        for person in context["people"]:
            person.may_block = can_block(self.request.user, person)
            person.role_name = role_names[roles.role_of(person)]
        context["query"] = self.request.GET.get("q", "").strip()
        return context


class UserBlockView(ListsUsersMixin, View):
    """Blocking asks first: the page says what happens and takes an optional
    reason. Unblocking is done at once from the list."""

    template_name = "manage/user_confirm_block.html"

    def get(self, request, pk):
        person = get_object_or_404(users_visible_to(request.user), pk=pk)
        if not person.is_active or not can_block(request.user, person):
            return redirect("manage-users")
        return render(request, self.template_name, {"person": person, "form": BlockForm()})

    def post(self, request, pk):
        person = get_object_or_404(users_visible_to(request.user), pk=pk)
        blocked = request.POST.get("blocked") == "1"
        form = BlockForm(request.POST)
        if blocked and not form.is_valid():
            return render(request, self.template_name, {"person": person, "form": form}, status=400)
        reason = form.cleaned_data["reason"] if blocked else ""
        user_set_blocked(user=person, blocked=blocked, by=request.user, reason=reason)
        if blocked:
            messages.success(request, _("%(email)s is blocked.") % {"email": person.email})
        else:
            messages.success(request, _("%(email)s is unblocked.") % {"email": person.email})
        return redirect("manage-users")


class UserCreateView(AdminOnlyMixin, FormView):
    template_name = "manage/user_form.html"
    form_class = UserCreateForm
    success_url = reverse_lazy("manage-users")

    def form_valid(self, form):
        try:
            person = user_create(by=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("%(email)s has been created.") % {"email": person.email})
        return super().form_valid(form)


class UserEditView(AdminOnlyMixin, FormView):
    template_name = "manage/user_form.html"
    form_class = UserEditForm
    success_url = reverse_lazy("manage-users")

    @cached_property
    def person(self):
        return get_object_or_404(User, pk=self.kwargs["pk"])

    def get_initial(self):
        person = self.person
        return {
            "email": person.email,
            "full_name": person.full_name,
            "time_zone": person.time_zone,
            "role": roles.role_of(person),
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(person=self.person, **kwargs)

    def form_valid(self, form):
        try:
            user_update(by=self.request.user, user=self.person, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("%(email)s has been saved.") % {"email": self.person.email})
        return super().form_valid(form)


class UserDeleteView(AdminOnlyMixin, View):
    template_name = "manage/user_confirm_delete.html"

    def get(self, request, pk):
        person = get_object_or_404(users_visible_to(request.user), pk=pk)
        return render(request, self.template_name, {"person": person})

    def post(self, request, pk):
        person = get_object_or_404(User, pk=pk)
        email = person.email
        user_delete(user=person, by=request.user)
        messages.success(request, _("%(email)s and all their data have been deleted.") % {"email": email})
        return redirect("manage-users")
