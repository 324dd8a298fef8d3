from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("two-factor/", views.two_factor_setup, name="two-factor"),
    path("verify/", views.verify, name="verify"),
    path("language/", views.interface_language, name="language"),
]
