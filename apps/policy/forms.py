from django import forms
from django.utils.translation import gettext_lazy as _


class SectionForm(forms.Form):
    title_zh = forms.CharField(label=_("Title (Chinese)"), max_length=120, required=False)
    title_en = forms.CharField(label=_("Title (English)"), max_length=120, required=False)
    body_zh = forms.CharField(label=_("Text (Chinese)"), required=False, widget=forms.Textarea(attrs={"rows": 6}))
    body_en = forms.CharField(label=_("Text (English)"), required=False, widget=forms.Textarea(attrs={"rows": 6}))
    version = forms.IntegerField(widget=forms.HiddenInput)


class PublishForm(forms.Form):
    note = forms.CharField(label=_("What changed"), max_length=300, required=False)
    expected_number = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    confirm = forms.BooleanField(label=_("I have read the draft: publish it as the new version (it cannot be changed "
                                         "afterwards)"))


class AcknowledgeForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
