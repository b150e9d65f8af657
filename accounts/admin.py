from django.contrib import admin

from .models import Account, AccountTeamMember, Contact, Opportunity


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ["name", "domain", "workspace", "industry", "country", "tier", "lifecycle", "owner"]
    list_filter = ["workspace", "tier", "lifecycle", "industry"]
    search_fields = ["name", "domain", "external_id"]
    raw_id_fields = ["parent", "owner"]
    list_select_related = ["workspace", "owner"]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["__str__", "email", "account", "title", "buying_role", "workspace"]
    list_filter = ["workspace", "buying_role", "seniority"]
    search_fields = ["first_name", "last_name", "email"]
    raw_id_fields = ["account", "persona"]
    list_select_related = ["account", "workspace"]


@admin.register(AccountTeamMember)
class AccountTeamMemberAdmin(admin.ModelAdmin):
    list_display = ["account", "user", "team_role", "workspace"]
    raw_id_fields = ["account", "user"]
    list_select_related = ["account", "user", "workspace"]


@admin.register(Opportunity)
class OpportunityAdmin(admin.ModelAdmin):
    list_display = ["name", "account", "type", "status", "amount", "created_date", "close_date"]
    list_filter = ["workspace", "status", "type"]
    search_fields = ["name", "external_id"]
    raw_id_fields = ["account"]
    list_select_related = ["account"]
