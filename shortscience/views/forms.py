"""Forms that parse and validate what people submit before a service is called."""

from __future__ import annotations

from django import forms


class SummaryForm(forms.Form):
    markdown = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 24, "id": "editor-source", "spellcheck": "true"}),
        strip=False,
        # No max_length here: browsers send CRLF; the service counts after normalising.
        label="Summary (Markdown + LaTeX)",
        error_messages={"required": "The summary is empty: write something first."},
    )
    private = forms.BooleanField(required=False, label="Private: only me and my share link")
    anonymous = forms.BooleanField(required=False, label="Anonymous: never show my name")
    action = forms.ChoiceField(
        choices=[("publish", "Publish"), ("draft", "Save draft"), ("unpublish", "Unpublish")]
    )
    # The summary's version when the editor opened (0: no summary yet); a newer one on the
    # server means another tab or device saved since, and the save is refused, not merged.
    base_version = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)


class AutosaveForm(forms.Form):
    markdown = forms.CharField(strip=False, required=False)
    base_version = forms.IntegerField(required=False, min_value=0)


class CommentForm(forms.Form):
    markdown = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "Comment (Markdown + $math$)"}),
        strip=False,
        label="Comment",
        error_messages={"required": "The comment is empty."},
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ProfileForm(forms.Form):
    display_name = forms.CharField(required=False, max_length=100)
    description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 6}), label="About you (Markdown)"
    )
    orcid = forms.CharField(required=False, max_length=40, label="ORCID iD")


class ImageForm(forms.Form):
    image = forms.FileField()
