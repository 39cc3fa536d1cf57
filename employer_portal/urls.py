from django.urls import path

from . import views

app_name = "employer_portal"

urlpatterns = [
    path("", views.companies, name="companies"),
    path("<int:company_id>/", views.home, name="home"),
    path("<int:company_id>/mon-entreprise/", views.company_detail, name="company"),
]
