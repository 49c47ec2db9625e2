"""Image upload from the editor: returns JSON with the stored URL and a Markdown snippet."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_POST

from shortscience.services import images
from shortscience.services.errors import InvalidInput
from shortscience.views.forms import ImageForm
from shortscience.views.pages.common import login_required_or_401, rate_limited, signed_in


@login_required_or_401
@require_POST
@rate_limited("uploading")
def upload(request: HttpRequest) -> JsonResponse:
    form = ImageForm(request.POST, request.FILES)
    if not form.is_valid():
        raise InvalidInput("Choose an image file to upload.")
    stored = images.store(signed_in(request), form.cleaned_data["image"])
    url = stored.file.url
    return JsonResponse({"url": url, "markdown": f"![]({url})"}, status=201)
