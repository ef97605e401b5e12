from django import forms
from django.utils.translation import gettext_lazy as _


class SecuritySettingsForm(forms.Form):
    idle_timeout_minutes = forms.IntegerField(
        label=_("Sign browser sessions out after this many minutes without activity"), min_value=5,
        max_value=24 * 60, help_text=_("Between 5 minutes and 24 hours; the default is 480 (8 hours)."))
    version = forms.IntegerField(widget=forms.HiddenInput)
