from rest_framework.routers import SimpleRouter

from .views import ImportJobViewSet

router = SimpleRouter()
router.register("import-jobs", ImportJobViewSet, basename="import-job")

urlpatterns = router.urls
