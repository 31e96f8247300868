"""Operations shared by migrations: moving a model from one app to another, and giving the
staff groups (accounts migration 0004) an app's permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# {group name: {model name: actions}}, e.g. {"Centre d'aide": {"reportcard": ("view",)}}.
Grants = dict[str, dict[str, tuple[str, ...]]]


def content_type_move(*, model: str, old_app: str, new_app: str) -> migrations.RunPython:
    """The model's content type follows it, and with it its permissions, the groups that
    hold them and the admin's history. Nothing to do on a database that never had it."""

    def relabel(apps, from_app: str, to_app: str) -> None:
        content_types = apps.get_model("contenttypes", "ContentType").objects
        if not content_types.filter(app_label=to_app, model=model).exists():
            content_types.filter(app_label=from_app, model=model).update(app_label=to_app)

    return migrations.RunPython(
        lambda apps, schema_editor: relabel(apps, old_app, new_app),
        lambda apps, schema_editor: relabel(apps, new_app, old_app),
    )


def _permissions(apps, app_label: str, models: dict[str, tuple[str, ...]]):
    return apps.get_model("auth", "Permission").objects.filter(
        content_type__app_label=app_label,
        codename__in=[f"{action}_{model}" for model, actions in models.items()
                      for action in actions])


def permissions_grant(apps, *, app_label: str, grants: Grants) -> None:
    """Add one app's permissions to the groups; a group that does not exist is skipped.
    The tests call it again after a transactional test's flush emptied the tables."""
    for group in apps.get_model("auth", "Group").objects.filter(name__in=grants):
        group.permissions.add(*_permissions(apps, app_label, grants[group.name]))


def staff_permissions(*, app_label: str, grants: Grants) -> migrations.RunPython:
    """The app's permissions made now (Django makes them only after every migration has
    run), then given to the groups; reversed, taken back."""

    def grant(apps, schema_editor) -> None:
        app_config = apps.get_app_config(app_label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
        permissions_grant(apps, app_label=app_label, grants=grants)

    def revoke(apps, schema_editor) -> None:
        for group in apps.get_model("auth", "Group").objects.filter(name__in=grants):
            group.permissions.remove(*_permissions(apps, app_label, grants[group.name]))

    return migrations.RunPython(grant, revoke)
