from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReceiptsConfig(AppConfig):
    name = "receipts"
    verbose_name = _("Reçus")

    def ready(self):
        # Connect to dues' and members' signals, and register the tasks that services queue by
        # name.
        from receipts import personal_data, signals, tasks  # noqa: F401
