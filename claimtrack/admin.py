"""Admin base classes shared by the apps. Nothing in the record is deleted through the admin, and
an object that a service creates (with the checks and side effects the newsroom pages get) is
created in the admin by that same service."""

from django import forms
from django.contrib import admin
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from claimtrack.validators import validate_seen_time

# Times a person gives in the admin as "seen" or "published": held to the same range as on the
# newsroom pages and the API (claimtrack.validators.validate_seen_time).
SEEN_TIME_FIELDS = {"first_seen_at", "seen_at", "published_at"}


class NoDeleteAdmin(admin.ModelAdmin):
    def has_delete_permission(self, request, obj=None):
        return False

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and db_field.name in SEEN_TIME_FIELDS:
            formfield.validators.append(validate_seen_time)
        return formfield


class ReadOnlyAdmin(NoDeleteAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ServiceAddForm(forms.ModelForm):
    """An admin add form whose object is created by the domain's service, not by ModelForm.save.

    The service validates and writes in one step (add_feed even fetches the feed), and its
    ValidationError has to reach the page as a form error, so it runs at the end of clean(); the
    form then holds the created object, and no model validation of its own follows (the service
    validated). ServiceAddAdmin shows no inlines on the add page, so a form that passes clean() is
    always saved, and it does not save the object a second time."""

    acting_user = None  # set by ServiceAddAdmin.get_form for the request's user

    def create(self, cleaned_data):
        """Create the object through its service and return it; raise ValidationError on bad input."""
        raise NotImplementedError

    def clean(self):
        cleaned_data = super().clean()
        if self.errors:
            return cleaned_data
        try:
            self.instance = self.create(cleaned_data)
        except ValidationError as error:
            self._add_service_errors(error)
        return cleaned_data

    def _post_clean(self):
        # A ModelForm builds and validates the model instance here; the service has done both.
        pass

    def _add_service_errors(self, error: ValidationError) -> None:
        add_service_errors(self, error)


def add_service_errors(form, error: ValidationError) -> None:
    """A service's ValidationError on an admin form: on the named field when the form has it."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, field_errors in error.error_dict.items():
        form.add_error(field if field in form.fields else NON_FIELD_ERRORS, field_errors)


class ServiceAddAdmin(NoDeleteAdmin):
    """Adds through `add_form` (a ServiceAddForm); changes are saved by the ordinary change form."""

    add_form: type[ServiceAddForm]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = self.add_form
            kwargs["fields"] = None  # the add form's own fields, not the change page's
        form_class = super().get_form(request, obj, change=change, **kwargs)
        if obj is None:
            form_class.acting_user = request.user  # modelform_factory made this class for this request
        return form_class

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": list(self.add_form.base_fields)})]
        return super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else super().get_readonly_fields(request, obj)

    def get_inlines(self, request, obj):
        return [] if obj is None else super().get_inlines(request, obj)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        # Added: the add form's service has saved it already.
