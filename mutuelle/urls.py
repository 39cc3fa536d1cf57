from django.contrib import admin
from django.urls import include, path

from . import views

admin.site.site_header = "Back-office de la mutuelle"
admin.site.site_title = "Back-office"
admin.site.index_title = "Gestion des adhésions"

urlpatterns = [
    path("", views.home, name="home"),
    path("accueil/", views.landing, name="landing"),
    path("compte/", include("allauth.urls")),
    path("entreprise/", include("employer_portal.urls")),
    path("adherent/", include("member_portal.urls")),
    path("gestion/", admin.site.urls),
]
