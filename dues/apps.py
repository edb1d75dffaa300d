from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DuesConfig(AppConfig):
    name = "dues"
    verbose_name = _("Cotisations et paiements")

    def ready(self):
        # Register the tasks that the desk's pages queue by name.
        from dues import tasks  # noqa: F401
