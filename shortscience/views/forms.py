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
    action = forms.ChoiceField(choices=[("publish", "Publish"), ("draft", "Save draft")])


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
