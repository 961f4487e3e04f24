from django.contrib import admin

from blog.models import Post


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["title", "author", "is_published", "published_at", "views_count"]
    list_filter = ["is_published", "published_at"]
    search_fields = ["title", "body", "excerpt"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["views_count", "created_at", "updated_at"]
    raw_id_fields = ["author"]
    date_hierarchy = "published_at"
