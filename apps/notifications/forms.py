from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AREAS, ChatApp, ChatWebhook, Digest


class PreferenceForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    email = forms.BooleanField(label=_("By e-mail"), required=False)
    chat = forms.BooleanField(label=_("In chat apps (WeCom, DingTalk, Feishu)"), required=False)
    chat_webhooks = forms.ModelMultipleChoiceField(
        label=_("Chat robots"), required=False, widget=forms.CheckboxSelectMultiple,
        queryset=ChatWebhook.objects.filter(owner__isnull=True, is_active=True).order_by("name", "id"))
    quiet_start = forms.TimeField(label=_("Quiet hours from"), required=False,
                                  widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    quiet_end = forms.TimeField(label=_("until"), required=False,
                                widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    digest = forms.ChoiceField(label=_("How often"), choices=Digest.choices, widget=forms.RadioSelect)

    def clean(self):
        data = super().clean()
        if (data.get("quiet_start") is None) != (data.get("quiet_end") is None):
            raise forms.ValidationError(_("Give both ends of the quiet hours, or neither."))
        return data


class PolicyForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    default_digest = forms.ChoiceField(label=_("For people who chose nothing"), choices=Digest.choices,
                                       widget=forms.RadioSelect)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for area, _label in AREAS:
            self.fields[f"{area}_email"] = forms.BooleanField(label=_("E-mail"), required=False)
            self.fields[f"{area}_chat"] = forms.BooleanField(label=_("Chat"), required=False)
        self.areas = [(area, label, self[f"{area}_email"], self[f"{area}_chat"]) for area, label in AREAS]

    def rules(self) -> dict:
        return {area: {"email": self.cleaned_data[f"{area}_email"], "chat": self.cleaned_data[f"{area}_chat"]}
                for area, _label in AREAS}


class ChatWebhookForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    app = forms.ChoiceField(label=_("Chat app"), choices=ChatApp.choices)
    url = forms.CharField(label=_("Webhook address"), max_length=500)
    secret = forms.CharField(label=_("Signing secret (DingTalk, Feishu)"), max_length=200, required=False)
    is_default = forms.BooleanField(label=_("On for everyone"), required=False)
