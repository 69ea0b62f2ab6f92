"""``{% can obj "action" as name %}``: templates ask the model whether the user may act (core.workflow)."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context, obj, action: str) -> bool:
    """``obj.can_<action>(user)`` for the request's user; False without a signed-in user."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if obj is None or user is None or not user.is_authenticated:
        return False
    return bool(getattr(obj, f"can_{action}")(user))
