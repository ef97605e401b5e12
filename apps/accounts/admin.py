from django.contrib import admin

from .models import UserPreference

admin.site.register(UserPreference)
