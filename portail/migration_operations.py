"""Operations shared by migrations that move a model from one app to another."""

from django.db import migrations


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
