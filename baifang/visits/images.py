"""Visit photos and drawn signatures: checked for type and size, resized with Pillow (R-VISIT-3)."""

from __future__ import annotations

import base64
import binascii
import io
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from baifang.core.uploads import validate_upload
from baifang.visits import conf

PHOTO_EXTENSIONS = {".jpg", ".jpeg", ".png", ".webp", ".gif"}
MAX_SIGNATURE_BYTES = 512 * 1024


def _open_image(data: bytes) -> Image.Image:
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError(_("This file is not a readable image.")) from exc
    return image


def prepare_photo(upload) -> ContentFile:
    """A JPEG no larger than the configured size, or a ValidationError that says what is wrong."""
    max_bytes = int(conf.setting("VISIT_PHOTO_MAX_BYTES"))
    if upload.size > max_bytes:
        raise ValidationError(
            _("The photo is larger than %(mb)s MB; take it again at a lower resolution.")
            % {"mb": round(max_bytes / 1024 / 1024, 1)}
        )
    validate_upload(upload)
    suffix = PurePath(upload.name or "").suffix.lower()
    if suffix not in PHOTO_EXTENSIONS:
        raise ValidationError(_("Only photos (JPEG, PNG, WebP or GIF) can be attached to a visit."))
    image = _open_image(upload.read())
    image = ImageOps.exif_transpose(image)
    longest = int(conf.setting("VISIT_PHOTO_MAX_PX"))
    image.thumbnail((longest, longest))
    if image.mode != "RGB":
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, optimize=True)
    return ContentFile(out.getvalue(), name=f"{PurePath(upload.name).stem[:40] or 'photo'}.jpg")


def signature_from_data_url(value: str) -> ContentFile | None:
    """A PNG from the signature pad's ``data:image/png;base64,…`` value; None when empty."""
    if not value:
        return None
    prefix = "data:image/png;base64,"
    if not value.startswith(prefix):
        raise ValidationError(_("The signature could not be read; sign again or type your name."))
    try:
        data = base64.b64decode(value[len(prefix) :], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValidationError(_("The signature could not be read; sign again or type your name.")) from exc
    if len(data) > MAX_SIGNATURE_BYTES:
        raise ValidationError(_("The signature image is too large."))
    _open_image(data)
    return ContentFile(data, name="signature.png")
