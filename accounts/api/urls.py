from rest_framework.routers import SimpleRouter

from .views import AccountTeamMemberViewSet, AccountViewSet, ContactViewSet, OpportunityViewSet

router = SimpleRouter()
router.register("accounts", AccountViewSet, basename="account")
router.register("contacts", ContactViewSet, basename="contact")
router.register("account-team-members", AccountTeamMemberViewSet, basename="account-team-member")
router.register("opportunities", OpportunityViewSet, basename="opportunity")

urlpatterns = router.urls
