from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo board (`manage.py seed_demo`): no model, and no app imports it."""

    name = "demo"
