from django.contrib import admin

from .models import Task


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["title", "account", "assignee", "due_date", "status", "source", "workspace"]
    list_filter = ["status", "source", "workspace"]
    search_fields = ["title", "account__name"]
    raw_id_fields = ["account", "contact", "assignee", "created_by", "completed_by"]
