from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _


class CreditProposalForm(forms.Form):
    credit_limit = forms.DecimalField(
        label=_("credit limit (yuan)"), min_value=Decimal(0), max_digits=14, decimal_places=2
    )
    term_days = forms.IntegerField(label=_("credit term (days)"), min_value=0, max_value=365)
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class CreditActionForm(forms.Form):
    transition = forms.ChoiceField(
        choices=[("countersign", _("Countersign")), ("approve", _("Approve")), ("reject", _("Reject"))]
    )
    comment = forms.CharField(label=_("comment"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
