from django.contrib import admin
from django.urls import include, path

from . import dev_views, views
from .health import health

admin.site.site_header = "Back-office de la mutuelle"
admin.site.site_title = "Back-office"
admin.site.index_title = "Gestion des adhésions"

urlpatterns = [
    path("", views.home, name="home"),
    path("accueil/", views.landing, name="landing"),
    path("accessibilite/", views.accessibility_statement, name="accessibility"),
    path("session/prolonger/", views.session_extend, name="session_extend"),
    path("compte/", include("allauth.urls")),
    path("entreprise/", include("employer_portal.urls")),
    path("adherent/", include("member_portal.urls")),
    path("", include("portal.urls")),
    path("", include("enrolment.urls")),
    path("gestion/", admin.site.urls),
    path("sante/", health, name="health"),
    # Browsers (and the back office's pages) ask for /favicon.ico whatever the pages say.
    path("favicon.ico", views.favicon),
    path("dev/outbox/", dev_views.outbox_list, name="dev_outbox"),
    path("dev/outbox/<int:pk>/", dev_views.outbox_detail, name="dev_outbox_message"),
    path(
        "dev/outbox/<int:pk>/html/",
        dev_views.outbox_message_html,
        name="dev_outbox_message_html",
    ),
]

handler500 = "mutuelle.views.server_error"
