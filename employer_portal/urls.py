from django.urls import include, path

from . import import_urls, views

app_name = "employer_portal"

urlpatterns = [
    path("", views.companies, name="companies"),
    path("<int:company_id>/", views.home, name="home"),
    path("<int:company_id>/mon-entreprise/", views.company_detail, name="company"),
    path("", include(import_urls)),
]
