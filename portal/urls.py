from django.urls import path

from . import views

# No namespace: the site map keeps its name (« site_map ») in the footers.
urlpatterns = [
    path("plan-du-site/", views.site_map, name="site_map"),
]
