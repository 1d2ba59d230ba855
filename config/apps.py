from django.contrib.admin.apps import AdminConfig


class SuperuserAdminConfig(AdminConfig):
    """django.contrib.admin with admin.site a SuperuserAdminSite (config.admin_site)."""

    default_site = "config.admin_site.SuperuserAdminSite"
