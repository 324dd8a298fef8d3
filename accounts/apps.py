from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .services import remember_interface_language, remember_second_factor_requirement

        user_logged_in.connect(
            lambda sender, request, user, **kwargs: remember_second_factor_requirement(request, user),
            dispatch_uid="accounts.remember_second_factor_requirement",
            weak=False,
        )
        user_logged_in.connect(
            lambda sender, request, user, **kwargs: remember_interface_language(request, user),
            dispatch_uid="accounts.remember_interface_language",
            weak=False,
        )
