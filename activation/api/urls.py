from rest_framework.routers import SimpleRouter

from .views import AlertViewSet, RuleViewSet, WebhookSubscriptionViewSet

router = SimpleRouter()
router.register("activation-rules", RuleViewSet, basename="activation-rule")
router.register("alerts", AlertViewSet, basename="alert")
router.register("webhook-subscriptions", WebhookSubscriptionViewSet, basename="webhook-subscription")
urlpatterns = router.urls
