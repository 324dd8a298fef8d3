"""Forms of the newsroom pages: they validate input; the services do the work."""

import re

from django import forms
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from claimtrack.lib.languages import is_language_tag, language_name
from claimtrack.lib.submissions import TOKEN_MAX_LENGTH, new_submission_token
from claimtrack.validators import FilterDayFormField, SeenTimeFormField, validate_http_url
from sources import selectors as source_selectors
from sources.models import Document, Source

from .models import NOTE_MAX_LENGTH, WORDING_MAX_LENGTH, ClaimStatus, NotificationSettings, Stance
from .ratings import rating_names

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


EVIDENCE_ACCEPT = "image/png,image/jpeg,image/gif,image/webp,application/pdf"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern); cleans to a list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": EVIDENCE_ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class SubmissionTokenField(forms.CharField):
    """A hidden one-time token, new each time the form is drawn (claimtrack.lib.submissions): the
    same form posted twice, e.g. a double-clicked submit, saves once."""

    def __init__(self, **kwargs):
        super().__init__(
            required=False,
            max_length=TOKEN_MAX_LENGTH,
            widget=forms.HiddenInput,
            initial=new_submission_token,
            **kwargs,
        )


def split_list(value: str) -> list[str]:
    return [item.strip() for item in (value or "").split(",") if item.strip()]


class ClaimForm(forms.Form):
    text = forms.CharField(label=_("Claim"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}))
    summary = forms.CharField(
        label=_("Summary"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"})
    )
    tags = forms.CharField(label=_("Tags"), required=False, help_text=_("Separate with commas"), max_length=500)
    places = forms.CharField(label=_("Places"), required=False, help_text=_("Separate with commas"), max_length=500)
    language = forms.CharField(
        label=_("Language"),
        required=False,
        max_length=16,
        help_text=_("e.g. ar, ckb, en, tr; left empty, it is detected from the claim's text."),
    )
    first_seen_at = SeenTimeFormField(
        label=_("First seen"), required=False, widget=DATETIME_WIDGET, help_text=_("Leave empty for now")
    )
    # Set once the journalist has seen the similar claims and still wants a new one.
    confirm_new = forms.BooleanField(required=False, widget=forms.HiddenInput)
    submission_token = SubmissionTokenField()


SOURCE_CHOICES_LIST = "source-choices"


def source_name_input(list_id: str = SOURCE_CHOICES_LIST) -> forms.TextInput:
    """A source name typed with the suggestions of a <datalist> (templates/includes/source_picker.html):
    the browser offers the names the server put there (without JavaScript: the matches found when
    the form came back), and HTMX refreshes them from sources:source-search as you type."""
    return forms.TextInput(
        attrs={
            "list": list_id,
            "autocomplete": "off",
            "dir": "auto",
            "hx-get": reverse_lazy("sources:source-search"),
            "hx-trigger": "input changed delay:250ms",
            "hx-target": f"#{list_id}",
            "hx-swap": "innerHTML",
            "hx-sync": "this:replace",
        }
    )


class SourceByNameMixin:
    """A form whose source is typed by name (a picker that stays usable with any number of sources:
    nothing is listed until something is typed). `name_field` resolves, any case, to a source not
    merged away, or to the one a merged source was merged into; a name matching none is a form
    error, and `matches` holds the sources whose name contains it, for the datalist."""

    name_field = "source_name"
    matches: list = ()

    def resolve_source_name(self, *, required: bool):
        name = (self.cleaned_data.get(self.name_field) or "").strip()
        if not name:
            if required:
                self.add_error(self.name_field, _("Type the name of a source."))
            return None
        found = Source.objects.filter(name__iexact=name).first()
        if found is not None and found.merged_into_id is not None:
            found = Source.objects.filter(pk=found.merged_into_id).first()
        if found is None:
            self.matches = source_selectors.source_name_matches(name)
            self.add_error(
                self.name_field,
                _("No source is called “%(name)s”: pick one of the names offered, or add it as a new source.")
                % {"name": name}
                if self.matches
                else _("No source is called “%(name)s”.") % {"name": name},
            )
        return found


def language_label(code: str) -> str:
    """A language as a filter names it: "Central Kurdish (Sorani) (ckb)", in the page's language
    where Django knows the language, else claimtrack.lib.languages' English name, or the code."""
    try:
        name = translation.get_language_info(code)["name_translated"]
    except KeyError:
        name = language_name(code)
    return f"{name} ({code})" if name != code else code


class LanguageFilterField(forms.ChoiceField):
    """A select of the languages present (`offer`); a link may name any other language tag (no
    rows then), but not a value that is no tag (too long, control characters): a form error."""

    default_error_messages = {
        "invalid_choice": _("Choose a language from the list, or give a language tag such as ar, ckb or en."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Language"))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def offer(self, codes, current=None):
        codes = list(codes)
        if isinstance(current, str) and is_language_tag(current) and current not in codes:
            codes.append(current)
        self.choices = [("", _("Any language"))] + [(code, language_label(code)) for code in codes]

    def valid_value(self, value):
        return is_language_tag(value) or super().valid_value(value)


class ClaimFilterForm(SourceByNameMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Any status")), *ClaimStatus.choices])
    tag = forms.ChoiceField(label=_("Tag"), required=False)
    # The source: typed by name (a picker usable with any number of sources), or by id in a link.
    source_name = forms.CharField(
        label=_("Source"), required=False, max_length=200, widget=source_name_input("filter-source-choices")
    )
    source = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput)
    seen_from = FilterDayFormField(
        label=_("First seen from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    seen_until = FilterDayFormField(
        label=_("First seen until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    language = LanguageFilterField()

    def __init__(self, *args, tag_names=(), languages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tag"].choices = [("", _("Any tag"))] + [(name, name) for name in tag_names]
        self.fields["language"].offer(languages, self.data.get("language"))

    def clean(self):
        cleaned_data = super().clean()
        if (cleaned_data.get("source_name") or "").strip():
            found = self.resolve_source_name(required=False)
            cleaned_data["source"] = found.pk if found else None
        return cleaned_data


class AppearanceForm(SourceByNameMixin, forms.Form):
    # The source: typed by name (source_name), or given by id (the API's way, kept for old pages).
    source = forms.ModelChoiceField(
        queryset=source_selectors.current_sources(), required=False, widget=forms.HiddenInput
    )
    source_name = forms.CharField(
        label=_("Source"),
        required=False,
        max_length=200,
        widget=source_name_input(),
        help_text=_("Type a few letters of its name and pick it; leave empty for a new source."),
    )
    new_source_name = forms.CharField(label=_("New source name"), required=False, max_length=200)
    new_source_kind = forms.ChoiceField(label=_("New source kind"), choices=Source.Kind.choices, required=False)
    document_url = forms.CharField(
        label=_("Document address (URL)"),
        required=False,
        max_length=2000,
        validators=[validate_http_url],
        widget=forms.URLInput(),
        help_text=_("Optional"),
    )
    document_kind = forms.ChoiceField(label=_("Document kind"), choices=Document.Kind.choices, required=False)
    stance = forms.ChoiceField(label=_("Stance"), choices=Stance.choices, widget=forms.RadioSelect)
    quote = forms.CharField(
        label=_("Quote"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"})
    )
    seen_at = SeenTimeFormField(label=_("Seen at"), required=False, widget=DATETIME_WIDGET, help_text=_("Empty: now"))
    evidence = MultipleFileField(label=_("Evidence files"), required=False, help_text=_("Images or PDFs"))
    evidence_caption = forms.CharField(label=_("Evidence caption"), required=False, max_length=2000)
    submission_token = SubmissionTokenField()

    def clean(self):
        cleaned_data = super().clean()
        if cleaned_data.get("source") is None and (cleaned_data.get("source_name") or "").strip():
            cleaned_data["source"] = self.resolve_source_name(required=False)
        return cleaned_data


class SourceMergeForm(SourceByNameMixin, forms.Form):
    """Merge the page's source into another, picked by name."""

    name_field = "into_name"
    into_name = forms.CharField(
        label=_("Merge into (the source that stays)"),
        max_length=200,
        widget=source_name_input("merge-choices"),
        help_text=_(
            "Type a few letters of its name and pick it. This source's appearances, documents and feeds move there."
        ),
    )
    reason = forms.CharField(
        label=_("Why are they the same?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"})
    )
    submission_token = SubmissionTokenField()

    def clean(self):
        cleaned_data = super().clean()
        if "into_name" in cleaned_data:
            cleaned_data["into"] = self.resolve_source_name(required=True)
        return cleaned_data


class EvidenceForm(forms.Form):
    file = forms.FileField(
        label=_("Evidence file"),
        help_text=_("Image or PDF"),
        widget=forms.ClearableFileInput(attrs={"accept": EVIDENCE_ACCEPT}),
    )
    caption = forms.CharField(label=_("Caption"), required=False, max_length=2000)
    submission_token = SubmissionTokenField()


class StatusChangeForm(forms.Form):
    to_status = forms.ChoiceField(label=_("New status"), choices=[("", _("— choose —")), *ClaimStatus.choices])
    rationale = forms.CharField(
        label=_("Rationale"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"})
    )
    expected_status = forms.ChoiceField(choices=ClaimStatus.choices, widget=forms.HiddenInput)


class ProposalForm(forms.Form):
    to_status = forms.ChoiceField(label=_("Proposed status"), choices=[("", _("— choose —")), *ClaimStatus.choices])
    rationale = forms.CharField(
        label=_("Why"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"})
    )
    submission_token = SubmissionTokenField()


def rating_choices():
    return [("", _("— choose —"))] + [(name, name) for name in rating_names()]


class VerdictForm(forms.Form):
    rating = forms.ChoiceField(label=_("Rating"), choices=rating_choices)
    summary = forms.CharField(
        label=_("Verdict summary"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
    )
    submission_token = SubmissionTokenField()


class WordingForm(forms.Form):
    text = forms.CharField(
        label=_("The claim in another language"),
        max_length=WORDING_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
        help_text=_("The same claim, worded in another language: search and matching use it too."),
    )
    language = forms.CharField(label=_("Language"), max_length=16, help_text=_("e.g. ar, ckb, en, tr"))
    is_translation = forms.BooleanField(
        label=_("Our newsroom's translation"),
        required=False,
        initial=True,
        help_text=_("Untick when these are the words a source used."),
    )

    def __init__(self, *args, **kwargs):
        # Its own element ids: the claim page's note form has a `text` field too.
        kwargs.setdefault("auto_id", "id_wording_%s")
        super().__init__(*args, **kwargs)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"})
    )


class ReviewFilterForm(forms.Form):
    """The review queue's filter: the language of the text an appearance was found in."""

    language = LanguageFilterField()

    def __init__(self, *args, languages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].offer(languages, self.data.get("language"))


class DecisionForm(forms.Form):
    decision_note = forms.CharField(label=_("Decision note"), required=False, max_length=2000)


class PendingAppearanceEditForm(forms.Form):
    stance = forms.ChoiceField(label=_("Stance"), choices=Stance.choices, widget=forms.RadioSelect)
    quote = forms.CharField(
        label=_("Quote"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"})
    )
    seen_at = SeenTimeFormField(label=_("Seen at"), widget=DATETIME_WIDGET)


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Note"),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        help_text=_("Plain text; addresses become links; @username tells a colleague."),
    )
    submission_token = SubmissionTokenField()


class AssignForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Assign to"), queryset=None, empty_label=_("— choose —"))

    def __init__(self, *args, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users


KEEP_VERDICT_FORM_CHOICES = [
    ("", _("— only if both claims have a verdict —")),
    ("into", _("The verdict of the claim that stays")),
    ("absorbed", _("The verdict of the duplicate")),
]
_CLAIM_REFERENCE = re.compile(r"^\s*(?:(?:https?://[^/\s]+)?/(?:claims|fact-checks|api/v1/claims)/)?(\d{1,18})/?\s*$")


class MergeForm(forms.Form):
    """Merge this claim (the duplicate) into another, or propose it: the other claim by its id or
    its address (newsroom page, public page or API)."""

    into = forms.CharField(
        label=_("Duplicate of claim"),
        max_length=300,
        help_text=_("The id or the address of the claim that stays, e.g. 42 or /claims/42/"),
    )
    reason = forms.CharField(
        label=_("Why they are the same claim"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
    )
    keep_verdict_of = forms.ChoiceField(
        label=_("Verdict that stands"), choices=KEEP_VERDICT_FORM_CHOICES, required=False
    )
    submission_token = SubmissionTokenField()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_merge_%s")  # ids apart from the page's other forms
        super().__init__(*args, **kwargs)

    def clean_into(self):
        match = _CLAIM_REFERENCE.match(self.cleaned_data["into"])
        if match is None:
            raise forms.ValidationError(_("Give the claim's id (a number) or its address."), code="invalid")
        return int(match.group(1))


class MergeDecisionForm(forms.Form):
    decision_note = forms.CharField(label=_("Decision note"), required=False, max_length=2000)
    keep_verdict_of = forms.ChoiceField(
        label=_("Verdict that stands"), choices=KEEP_VERDICT_FORM_CHOICES, required=False
    )


def split_lines(value: str) -> list[str]:
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


class ClaimEditForm(forms.Form):
    """Edit a claim's own fields (services.update_claim). Places one per line, so a place name
    with a comma in it ("Erbil, Kurdistan Region") survives an edit of something else."""

    text = ClaimForm.base_fields["text"]
    summary = ClaimForm.base_fields["summary"]
    tags = ClaimForm.base_fields["tags"]
    places = forms.CharField(
        label=_("Places"),
        required=False,
        max_length=5000,
        help_text=_("One place name per line"),
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
    )
    language = ClaimForm.base_fields["language"]
    first_seen_at = SeenTimeFormField(
        label=_("First seen"), required=False, widget=DATETIME_WIDGET, help_text=_("Leave empty to keep it")
    )
    submission_token = SubmissionTokenField()

    @classmethod
    def for_claim(cls, claim, tag_names) -> "ClaimEditForm":
        return cls(
            initial={
                "text": claim.text,
                "summary": claim.summary,
                "tags": ", ".join(tag_names),
                "places": "\n".join(claim.places or []),
                "language": claim.language,
                "first_seen_at": claim.first_seen_at,
            }
        )


class NotificationSettingsForm(forms.Form):
    # Saving it twice saves the same choice: no one-time token needed.
    email = forms.ChoiceField(
        label=_("Email me about notifications"), choices=NotificationSettings.Email.choices, widget=forms.RadioSelect
    )
