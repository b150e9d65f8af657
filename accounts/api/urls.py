from rest_framework.routers import SimpleRouter

from ..imports.api import urls as imports_urls
from ..prospecting.api import urls as prospecting_urls
from .views import (
    AccountTeamMemberViewSet,
    AccountViewSet,
    ContactViewSet,
    OpportunityContactViewSet,
    OpportunityViewSet,
    ProductViewSet,
)

router = SimpleRouter()
router.register("accounts", AccountViewSet, basename="account")
router.register("contacts", ContactViewSet, basename="contact")
router.register("account-team-members", AccountTeamMemberViewSet, basename="account-team-member")
router.register("opportunities", OpportunityViewSet, basename="opportunity")
router.register("opportunity-contacts", OpportunityContactViewSet, basename="opportunity-contact")
router.register("products", ProductViewSet, basename="product")

# The sub-packages' endpoints first: ``accounts/<pk>/tier/`` is more specific than the router's routes.
urlpatterns = [*prospecting_urls.urlpatterns, *router.urls, *imports_urls.urlpatterns]
