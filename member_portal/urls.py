from django.urls import include, path

from . import invitation_views, signature_urls, views, wizard_views

app_name = "member_portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("invitation/<str:token>/", invitation_views.invitation, name="invitation"),
    path("dispense/", include("member_portal.dispensation_views")),
    path("confirmer-email/<str:token>/", invitation_views.confirm_email, name="confirm_email"),
    path("adhesion/bienvenue/", wizard_views.welcome, name="welcome"),
    path("adhesion/profil/", wizard_views.profile, name="wizard_profile"),
    path("adhesion/beneficiaires/", wizard_views.beneficiaries, name="wizard_beneficiaries"),
    path(
        "adhesion/beneficiaires/ajouter/",
        wizard_views.beneficiary_add,
        name="wizard_beneficiary_add",
    ),
    path(
        "adhesion/beneficiaires/<int:pk>/modifier/",
        wizard_views.beneficiary_edit,
        name="wizard_beneficiary_edit",
    ),
    path(
        "adhesion/beneficiaires/<int:pk>/retirer/",
        wizard_views.beneficiary_remove,
        name="wizard_beneficiary_remove",
    ),
    path("adhesion/garanties/", wizard_views.offers, name="wizard_offers"),
    path(
        "garanties/<int:pk>/tableau.pdf",
        wizard_views.guarantee_table,
        name="guarantee_table",
    ),
    path("adhesion/coordonnees-bancaires/", wizard_views.bank, name="wizard_bank"),
    path("adhesion/recapitulatif/", wizard_views.recap, name="wizard_recap"),
]
urlpatterns += signature_urls.urlpatterns
