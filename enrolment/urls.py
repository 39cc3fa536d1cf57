from django.urls import path

from . import views

app_name = "enrolment"

urlpatterns = [
    path("carte/verifier/<str:token>/", views.card_verify, name="card_verify"),
]
