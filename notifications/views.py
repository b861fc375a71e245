"""Staff pages (delivery log, broadcasts), a person's notification settings and one-click
unsubscribe. Views are thin: a form, one service, a message, a redirect."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import FormView, ListView, TemplateView

from .exceptions import NotificationError
from .filters import NotificationFilter
from .forms import BroadcastForm, BroadcastSendForm, PreferencesForm
from .models import Broadcast
from .selectors import (
    broadcast_list_for,
    broadcast_preview,
    notification_get,
    notification_list,
    preferences_for,
)
from .services import (
    broadcast_create,
    broadcast_send,
    notification_retry,
    notification_unsubscribe,
    preferences_save,
)

LOG_PAGE_SIZE = 50


class PermissionOr404Mixin(LoginRequiredMixin):
    """Signed-in people without the permission get "not found", never "forbidden"."""

    permission: str

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not request.user.has_perm(self.permission, self.permission_object()):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def permission_object(self):
        return None


class NotificationListView(PermissionOr404Mixin, ListView):
    permission = "notifications.access_delivery_log"
    template_name = "notifications/log_list.html"
    context_object_name = "notifications"
    paginate_by = LOG_PAGE_SIZE

    def get_queryset(self):
        self.filterset = NotificationFilter(self.request.GET or None, queryset=notification_list())
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(filter=self.filterset, query=query.urlencode(), **kwargs)


class NotificationDetailView(PermissionOr404Mixin, TemplateView):
    permission = "notifications.access_delivery_log"
    template_name = "notifications/log_detail.html"

    def get_context_data(self, **kwargs):
        notification = notification_get(pk=self.kwargs["pk"])
        if notification is None:
            raise Http404
        can_retry = self.request.user.has_perm("notifications.retry_notification", notification)
        return super().get_context_data(notification=notification, can_retry=can_retry, **kwargs)


class NotificationRetryView(PermissionOr404Mixin, View):
    permission = "notifications.retry_notification"
    http_method_names = ["post"]

    def post(self, request, pk: int):
        notification = notification_get(pk=pk)
        if notification is None:
            raise Http404
        try:
            notification_retry(notification=notification, actor=request.user)
        except NotificationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The message will be sent again."))
        return HttpResponseRedirect(reverse("notifications:log-detail", args=[pk]))


class BroadcastListView(PermissionOr404Mixin, ListView):
    permission = "notifications.compose_broadcast"
    template_name = "notifications/broadcast_list.html"
    context_object_name = "broadcasts"
    paginate_by = 30

    def get_queryset(self):
        return broadcast_list_for(user=self.request.user)


class BroadcastCreateView(PermissionOr404Mixin, FormView):
    permission = "notifications.compose_broadcast"
    template_name = "notifications/broadcast_form.html"
    form_class = BroadcastForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        source, audience = form.source_and_audience()
        try:
            broadcast = broadcast_create(
                author=self.request.user,
                source=source,
                audience=audience,
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                sms_text=form.cleaned_data["sms_text"],
                send_email=form.cleaned_data["send_email"],
                send_sms=form.cleaned_data["send_sms"],
            )
        except NotificationError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        return HttpResponseRedirect(reverse("notifications:broadcast-detail", args=[broadcast.pk]))


class BroadcastObjectMixin(PermissionOr404Mixin):
    def permission_object(self):
        if not hasattr(self, "_broadcast"):
            self._broadcast = (
                Broadcast.objects.select_related("author").filter(pk=self.kwargs["pk"]).first()
            )
        if self._broadcast is None:
            raise Http404
        return self._broadcast


class BroadcastDetailView(BroadcastObjectMixin, TemplateView):
    """A draft shows who will receive it (the preview) and the button to send it."""

    permission = "notifications.access_broadcast"
    template_name = "notifications/broadcast_detail.html"

    def get_context_data(self, **kwargs):
        broadcast = self.permission_object()
        context = super().get_context_data(broadcast=broadcast, **kwargs)
        if broadcast.is_draft:
            try:
                preview = broadcast_preview(broadcast=broadcast)
            except NotificationError as error:
                context["preview_error"] = error.message
            else:
                context["preview"] = preview
                context["send_form"] = BroadcastSendForm(
                    initial={"fingerprint": preview.fingerprint}
                )
            context["can_send"] = self.request.user.has_perm(
                "notifications.dispatch_broadcast", broadcast
            )
        return context


class BroadcastSendView(BroadcastObjectMixin, View):
    permission = "notifications.dispatch_broadcast"
    http_method_names = ["post"]

    def post(self, request, pk: int):
        broadcast = self.permission_object()
        form = BroadcastSendForm(request.POST)
        url = reverse("notifications:broadcast-detail", args=[pk])
        if not form.is_valid():
            messages.error(request, _("Check the list of recipients and send again."))
            return HttpResponseRedirect(url)
        try:
            broadcast_send(
                broadcast=broadcast,
                sent_by=request.user,
                fingerprint=form.cleaned_data["fingerprint"],
            )
        except NotificationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The message is being sent."))
        return HttpResponseRedirect(url)


class PreferencesView(LoginRequiredMixin, FormView):
    template_name = "notifications/preferences.html"
    form_class = PreferencesForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "choices": preferences_for(user=self.request.user)}

    def form_valid(self, form):
        preferences_save(user=self.request.user, choices=form.chosen())
        messages.success(self.request, _("Your notification settings are saved."))
        return HttpResponseRedirect(reverse("notifications:preferences"))


@method_decorator(csrf_exempt, name="dispatch")
class UnsubscribeView(View):
    """GET asks (link scanners must not unsubscribe anyone); POST unsubscribes: from the page's
    button or from a mail client's RFC 8058 one-click request. The signed token is the key."""

    template_name = "notifications/unsubscribe.html"

    def get(self, request, token: str):
        return render(request, self.template_name, {"token": token, "done": False})

    def post(self, request, token: str):
        try:
            notification = notification_unsubscribe(token=token)
        except NotificationError as error:
            return render(
                request, self.template_name, {"error": error.message, "done": False}, status=400
            )
        return render(request, self.template_name, {"notification": notification, "done": True})
