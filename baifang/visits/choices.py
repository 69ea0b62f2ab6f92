"""Touch channels (SPEC vocabulary: a touch is any recorded contact; a visit is an on-site touch)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    VISIT = "visit", _("On-site visit")
    INVITED = "invited", _("Invited visit at our office")
    PHONE = "phone", _("Phone call")
    ONLINE = "online", _("Online chat")
    SMS = "sms", _("SMS")
    EMAIL = "email", _("Email")
    OTHER = "other", _("Other")
