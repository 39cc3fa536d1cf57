from django.urls import path

from .views import (
    account,
    bank_accounts,
    beneficiaries,
    card,
    contact,
    contributions,
    dispensation,
    documents,
    home,
    invitation,
    portability,
    profile,
    reimbursements,
    requests,
    services,
    signature,
    space,
    wizard,
)

app_name = "member_portal"

urlpatterns = [
    path("", home.home, name="home"),
    path("remboursements/", reimbursements.reimbursement_list, name="reimbursements"),
    path("remboursements/releves/", reimbursements.statement_list, name="statement_list"),
    path(
        "remboursements/demande/",
        reimbursements.reimbursement_request,
        name="reimbursement_request",
    ),
    path("remboursements/estimation/", reimbursements.estimate, name="estimate"),
    path(
        "remboursements/releves/<int:pk>.pdf",
        reimbursements.statement_download,
        name="statement_download",
    ),
    path(
        "remboursements/<int:pk>/",
        reimbursements.reimbursement_detail,
        name="reimbursement_detail",
    ),
    # The member space (seed 002).
    path("contrat/", space.contract, name="contract"),
    path("mes-informations/", profile.profile, name="profile"),
    path("mes-informations/mobile/", profile.profile_phone, name="profile_phone"),
    path(
        "mes-informations/mobile/<int:pk>/code/",
        profile.profile_phone_confirm,
        name="profile_phone_confirm",
    ),
    path("mes-parametres/", profile.settings_page, name="settings"),
    # « Créer mon espace » (seed 004) and the pages its form links to.
    path("creer-mon-espace/", account.account_create, name="account_create"),
    path("creer-mon-espace/envoye/", account.account_requested, name="account_requested"),
    path("activer/<str:key>/", account.account_activate, name="account_activate"),
    path("conditions-generales/", account.terms, name="terms"),
    path("mentions-legales/", account.legal_notice, name="legal_notice"),
    # Invitation link and e-mail confirmation.
    path("invitation/<str:token>/", invitation.invitation, name="invitation"),
    path("confirmer-email/<str:token>/", invitation.confirm_email, name="confirm_email"),
    # Enrolment wizard.
    path("adhesion/bienvenue/", wizard.welcome, name="welcome"),
    path("adhesion/profil/", wizard.profile, name="wizard_profile"),
    path("adhesion/profil/mobile/<int:pk>/", wizard.profile_phone, name="wizard_profile_phone"),
    path("adhesion/beneficiaires/", wizard.beneficiaries, name="wizard_beneficiaries"),
    path(
        "adhesion/beneficiaires/ajouter/",
        wizard.beneficiary_add,
        name="wizard_beneficiary_add",
    ),
    path(
        "adhesion/beneficiaires/<int:pk>/modifier/",
        wizard.beneficiary_edit,
        name="wizard_beneficiary_edit",
    ),
    path(
        "adhesion/beneficiaires/<int:pk>/retirer/",
        wizard.beneficiary_remove,
        name="wizard_beneficiary_remove",
    ),
    path("adhesion/garanties/", wizard.offers, name="wizard_offers"),
    path("garanties/<int:pk>/tableau.pdf", wizard.guarantee_table, name="guarantee_table"),
    path("adhesion/coordonnees-bancaires/", wizard.bank, name="wizard_bank"),
    path("adhesion/banque/", wizard.bank_lookup, name="wizard_bank_lookup"),
    path("adhesion/recapitulatif/", wizard.recap, name="wizard_recap"),
    # Electronic signature.
    path("signature/", signature.signature_entry, name="signature_entry"),
    path(
        "adhesion/<int:enrolment_id>/signature/",
        signature.signature_start,
        name="signature_start",
    ),
    path(
        "adhesion/<int:enrolment_id>/signature/bulletin/",
        signature.signature_form,
        name="signature_form",
    ),
    path(
        "adhesion/<int:enrolment_id>/signature/bulletin/lu/",
        signature.signature_form_viewed_mark,
        name="signature_form_viewed",
    ),
    path(
        "adhesion/<int:enrolment_id>/signature/bulletin.pdf",
        signature.signature_form_pdf,
        name="signature_form_pdf",
    ),
    path(
        "adhesion/<int:enrolment_id>/signature/code/",
        signature.signature_sms,
        name="signature_sms",
    ),
    path(
        "adhesion/<int:enrolment_id>/signature/mobile/<int:pk>/",
        signature.signature_phone,
        name="signature_phone",
    ),
    path(
        "adhesion/<int:enrolment_id>/signature/terminee/",
        signature.signature_done,
        name="signature_done",
    ),
    path(
        "adhesion/<int:enrolment_id>/dossier-signe.pdf",
        signature.signature_dossier,
        name="signature_dossier",
    ),
    # Dispensation of membership.
    path("dispense/", dispensation.dispensation_start, name="dispensation_start"),
    path("dispense/suivi/", dispensation.dispensation_list, name="dispensation_list"),
    path("dispense/<int:pk>/merci/", dispensation.dispensation_done, name="dispensation_done"),
    path(
        "dispense/<int:pk>/completer/",
        dispensation.dispensation_complete_view,
        name="dispensation_complete",
    ),
    path(
        "dispense/<int:pk>/retirer/",
        dispensation.dispensation_withdraw_view,
        name="dispensation_withdraw",
    ),
    path(
        "dispense/<int:pk>/justificatif-annuel/",
        dispensation.dispensation_rejustify_view,
        name="dispensation_rejustify",
    ),
    path(
        "dispense/<int:pk>/justificatifs/<int:proof_pk>/",
        dispensation.dispensation_proof,
        name="dispensation_proof",
    ),
    # « Mes demandes » and « Faire une autre demande ».
    path("demandes/", requests.requests_list, name="requests"),
    path("demandes/nouvelle/", requests.request_new, name="request_new"),
    path("demandes/nouvelle/message/", requests.request_message, name="request_message"),
    path("demandes/<int:pk>/completer/", requests.request_complete, name="request_complete"),
    path("demandes/<int:pk>/retirer/", requests.request_withdraw, name="request_withdraw"),
    path(
        "demandes/<int:pk>/documents/<int:document_pk>/",
        requests.request_document,
        name="request_document",
    ),
    path(
        "demandes/rib-cotisation/", bank_accounts.contribution_account, name="contribution_account"
    ),
    path("demandes/rib-prestation/", bank_accounts.benefit_account, name="benefit_account"),
    path("demandes/mandats/<int:pk>/signer/", bank_accounts.mandate_sign, name="mandate_sign"),
    path(
        "demandes/mandats/<int:pk>/mandat.pdf", bank_accounts.mandate_document, name="mandate_pdf"
    ),
    path("cotisations/situation/", contributions.situation, name="situation"),
    path("cotisations/regulariser/", contributions.pay, name="pay"),
    path("cotisations/echeancier/", contributions.schedule, name="schedule"),
    path("cotisations/paiement/", contributions.payment_page, name="payment_page"),
    path("cotisations/paiement-retour/", contributions.payment_return, name="payment_return"),
    path("paiement/notification/", contributions.payment_notify, name="payment_notify"),
    path("demandes/portabilite/", portability.portability, name="portability"),
    path("demandes/beneficiaires/ajouter/", beneficiaries.beneficiary_add, name="beneficiary_add"),
    path(
        "demandes/beneficiaires/retirer/",
        beneficiaries.beneficiary_remove,
        name="beneficiary_remove",
    ),
    # Member card and guarantees (« Mon contrat »).
    path("contrat/carte/", card.card, name="card"),
    path("contrat/carte.pdf", card.card_pdf, name="card_pdf"),
    path("contrat/garanties/", card.guarantees, name="guarantees"),
    path("contrat/garanties.pdf", card.guarantees_pdf, name="guarantees_pdf"),
    path(
        "contrat/prevoyance/<int:enrolment_id>/notice.pdf",
        space.provident_notice,
        name="provident_notice",
    ),
    # « Mes documents ».
    path("documents/", documents.documents, name="documents"),
    path("documents/attestation/", documents.attestation, name="attestation"),
    path("documents/<int:pk>/", documents.document_file, name="document_file"),
    # « Contact & aide ».
    path("contact/", contact.contact, name="contact"),
    path("contact/messages/nouveau/", contact.conversation_new, name="conversation_new"),
    path("contact/messages/<int:pk>/", contact.conversation, name="conversation"),
    path(
        "contact/messages/<int:pk>/pieces/<int:attachment_pk>/",
        contact.conversation_attachment,
        name="conversation_attachment",
    ),
    # « Mes services ».
    path("services/", services.services, name="services"),
]
