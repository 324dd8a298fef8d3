from django import forms
from django.utils.translation import gettext_lazy as _

from claimtrack.validators import HttpURLFormField


class AddFeedForm(forms.Form):
    url = HttpURLFormField(label=_("Feed address"), max_length=1000, assume_scheme="https")
