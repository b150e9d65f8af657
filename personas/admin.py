from django.contrib import admin

from .models import Persona


@admin.register(Persona)
class PersonaAdmin(admin.ModelAdmin):
    list_display = ["name", "workspace", "department", "seniority", "typical_buying_role"]
    list_filter = ["workspace", "department"]
    search_fields = ["name"]
