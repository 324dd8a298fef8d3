from django import forms
from django.utils.translation import gettext_lazy as _

from claimtrack.validators import HttpURLFormField

from .models import Source


class AddFeedForm(forms.Form):
    url = HttpURLFormField(label=_("Feed address"), max_length=1000, assume_scheme="https")


class SourceFilterForm(forms.Form):
    """The sources directory's search and filters (all optional)."""

    q = forms.CharField(label=_("Name contains"), required=False, max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("Any kind")), *Source.Kind.choices])
    country = forms.CharField(label=_("Country"), required=False, max_length=2, help_text=_("Two-letter code, e.g. IQ"))
    language = forms.CharField(label=_("Language"), required=False, max_length=16, help_text=_("e.g. ar, ckb, en"))


class SourceEditForm(forms.Form):
    """A source's correctable details; `kind` only for those who may change it (with_kind)."""

    name = forms.CharField(label=_("Name"), max_length=200, widget=forms.TextInput(attrs={"dir": "auto"}))
    homepage = forms.CharField(
        label=_("Home page"), required=False, max_length=500, widget=forms.URLInput(), help_text=_("Optional")
    )
    country = forms.CharField(
        label=_("Country"), required=False, max_length=2, help_text=_("ISO 3166 two-letter code, e.g. IQ")
    )
    language = forms.CharField(label=_("Language"), required=False, max_length=16, help_text=_("e.g. ar, ckb, en"))

    def __init__(self, *args, with_kind: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if with_kind:
            self.fields["kind"] = forms.ChoiceField(label=_("Kind"), choices=Source.Kind.choices)
