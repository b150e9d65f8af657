from abe.api.base import WorkspaceModelViewSet
from abe.models import Role

from .. import selectors, services
from .serializers import PersonaSerializer


class PersonaViewSet(WorkspaceModelViewSet):
    """Buyer personas: challenges, goals, information sources and preferred channels. Marketing edits them."""

    serializer_class = PersonaSerializer
    filterset_fields = ["department", "seniority", "typical_buying_role"]
    search_fields = ["name", "challenges", "goals"]
    ordering_fields = ["name", "created_at"]
    ordering = ["name", "id"]
    write_roles = (Role.ADMIN, Role.MARKETING)
    selector = staticmethod(selectors.persona_list)
    create_service = staticmethod(services.persona_create)
    update_service = staticmethod(services.persona_update)
    delete_service = staticmethod(services.persona_delete)
