from django.apps import AppConfig


class IRRConfig(AppConfig):
    name = "irr"
    verbose_name = "IRR"
