from functools import wraps

from django.contrib.auth.decorators import login_required

from .perms import get_company_or_404


def correspondent_view(view):
    """Login required; resolves ``company_id`` into ``request.company`` or 404."""

    @login_required
    @wraps(view)
    def wrapper(request, company_id: int, *args, **kwargs):
        request.company = get_company_or_404(request.user, company_id)
        return view(request, *args, **kwargs)

    return wrapper
