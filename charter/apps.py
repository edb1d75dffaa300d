from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CharterConfig(AppConfig):
    name = "charter"
    verbose_name = _("Collectif et charte")

    def ready(self):
        # Public pages keep the collective, charter and privacy notice between requests:
        # an edit drops them (charter.published).
        from charter import published

        published.connect()
