from django import forms
from django.utils.translation import gettext_lazy as _


class AddFeedForm(forms.Form):
    url = forms.URLField(label=_("Feed address"), max_length=1000, assume_scheme="https")
