from django.contrib import admin

from .models import ChatDelivery, ChatWebhook, Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "title", "read_at", "emailed_at"]
    search_fields = ["title", "recipient__username"]


@admin.register(ChatWebhook)
class ChatWebhookAdmin(admin.ModelAdmin):
    list_display = ["name", "app", "owner", "is_default", "is_active", "env_key"]
    list_filter = ["app", "is_default", "is_active"]


@admin.register(ChatDelivery)
class ChatDeliveryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "notification", "webhook", "status", "attempts", "response_status", "error"]
    list_filter = ["status", "webhook__app"]
    raw_id_fields = ["notification"]
