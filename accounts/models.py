from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class InterfacePreference(models.Model):
    """The interface language a user chose with the header's switcher: it follows them to every
    browser they log in from (accounts.middleware.UserLanguageMiddleware). Not part of the record:
    a setting of the account, so it goes with the account."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="interface_preference", verbose_name=_("user")
    )
    language = models.CharField(_("interface language"), max_length=16, choices=settings.LANGUAGES)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("interface preference")
        verbose_name_plural = _("interface preferences")

    def __str__(self):
        return f"{self.user}: {self.language}"
