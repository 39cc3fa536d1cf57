from django.urls import include, path

from . import invitation_views, views

app_name = "member_portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("invitation/<str:token>/", invitation_views.invitation, name="invitation"),
    path("dispense/", include("member_portal.dispensation_views")),
]
