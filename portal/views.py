from django.shortcuts import render


def site_map(request):
    """Every page a person can reach from the menus, by space; the company pages of a
    correspondent's own companies only."""
    companies = []
    if request.user.is_authenticated:
        companies = [
            access.company
            for access in request.user.correspondent_accesses.select_related("company").order_by(
                "company__legal_name"
            )
        ]
    return render(request, "portal/site_map.html", {"companies": companies})
