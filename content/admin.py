from django.contrib import admin

from .models import ContentAsset


@admin.register(ContentAsset)
class ContentAssetAdmin(admin.ModelAdmin):
    list_display = ["title", "workspace", "format", "stage", "effort"]
    list_filter = ["workspace", "format", "stage", "effort"]
    search_fields = ["title"]
