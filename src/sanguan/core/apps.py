from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "sanguan.core"
    label = "core"

    def ready(self) -> None:
        # Binds @shared_task to the project's Celery app (eager in the embedded default).
        from sanguan import celery  # noqa: F401
