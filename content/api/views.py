from rest_framework import serializers
from rest_framework.routers import SimpleRouter

from abe.api.base import WorkspaceModelViewSet, WorkspaceRelatedField
from abe.api.negotiation import FormatIsAFilter
from abe.models import Role
from personas.models import Persona

from .. import selectors, services
from ..models import ContentAsset


class ContentAssetSerializer(serializers.ModelSerializer):
    personas = WorkspaceRelatedField(Persona, many=True, required=False)
    tiers = serializers.ListField(
        child=serializers.ChoiceField(choices=["strategic", "priority", "standard"]), required=False
    )

    class Meta:
        model = ContentAsset
        fields = [
            "id",
            "title",
            "url",
            "format",
            "stage",
            "effort",
            "tiers",
            "personas",
            "description",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class ContentAssetViewSet(WorkspaceModelViewSet):
    """The content library: assets by format, buying stage, effort, tier and persona."""

    serializer_class = ContentAssetSerializer
    filterset_fields = ["format", "stage", "effort", "personas"]
    content_negotiation_class = FormatIsAFilter  # ``?format=`` is the filter above, not the renderer
    search_fields = ["title", "description"]
    ordering_fields = ["title", "created_at"]
    ordering = ["title", "id"]
    write_roles = (Role.ADMIN, Role.MARKETING)
    selector = staticmethod(selectors.content_asset_list)
    create_service = staticmethod(services.content_asset_create)
    update_service = staticmethod(services.content_asset_update)
    delete_service = staticmethod(services.content_asset_delete)


router = SimpleRouter()
router.register("content-assets", ContentAssetViewSet, basename="content-asset")
