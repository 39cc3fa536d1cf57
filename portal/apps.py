from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The pages that show the two spaces side by side (the site map). Top layer, on
    the floor of employer_portal and member_portal: it names their URLs freely, while
    the layers below reach a space's page only through mutuelle.pages."""

    name = "portal"
    verbose_name = "Portail"
