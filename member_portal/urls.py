from django.urls import path

from . import views

app_name = "member_portal"

urlpatterns = [
    path("", views.home, name="home"),
]
