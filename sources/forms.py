from django import forms
from django.utils.translation import gettext_lazy as _

from claimtrack.validators import validate_http_url


class AddFeedForm(forms.Form):
    url = forms.URLField(
        label=_("Feed address"), max_length=1000, assume_scheme="https", validators=[validate_http_url]
    )
