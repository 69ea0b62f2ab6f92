from django import forms
from django.utils.translation import gettext_lazy as _

from baifang.tiers.models import Tier


class TierForm(forms.ModelForm):
    """Edit a tier; the criterion is validated on save and errors name the bad token (R-TIER-2)."""

    class Meta:
        model = Tier
        fields = [
            "name",
            "criteria",
            "description",
            "is_important",
            "expected_share_min",
            "expected_share_max",
        ]
        widgets = {
            "criteria": forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
            "description": forms.Textarea(attrs={"rows": 2}),
        }


class OverrideForm(forms.Form):
    tier = forms.ModelChoiceField(Tier.objects.none(), label=_("Tier"))
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def __init__(self, *args, scheme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tier"].queryset = scheme.tiers.order_by("rank")
