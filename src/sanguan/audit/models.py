"""The audit log's three tables.

``AuditEvent`` is one leaf: ``leaf_input`` holds the exact bytes hashed into the tree (the
RFC 8785 JSON of the event, carrying ids and a digest of ``data``, never personal data);
``data`` keeps the payload beside it, bound to the leaf by ``data_sha256``.
``MerkleNode`` keeps the hash of every complete aligned subtree, ``TreeState`` the size
and frontier that the next append starts from.

Events and nodes are append-only through the ORM: updates and deletes raise. That only
stops mistakes. Tamper-evidence comes from the tree: ``sanguan audit verify`` recomputes
every hash from ``leaf_input``, and a signed tree head held by someone else pins the
history up to its size.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import merkle


class AppendOnlyError(Exception):
    """An attempt to change or remove a stored audit row through the ORM."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only")

    def delete(self):
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only")

    update.queryset_only = True  # type: ignore[attr-defined]
    delete.queryset_only = True  # type: ignore[attr-defined]


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} rows are append-only")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{type(self).__name__} rows are append-only")


class AuditEvent(AppendOnlyModel):
    leaf_index = models.BigIntegerField(_("leaf index"), primary_key=True)
    recorded_at = models.DateTimeField(_("recorded at"))
    # No database constraint: the log outlives users, and the id is in the leaf anyway.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=100)
    target_type = models.CharField(_("target type"), max_length=100, blank=True)
    target_id = models.CharField(_("target id"), max_length=64, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    leaf_input = models.BinaryField(_("leaf input"))

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["leaf_index"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_event_target")]

    def __str__(self) -> str:
        return f"#{self.leaf_index} {self.action}"


class MerkleNode(AppendOnlyModel):
    """The hash of leaves ``[index * 2**level, (index + 1) * 2**level)``; ``key`` packs
    ``(level, index)`` (see ``merkle.node_key``)."""

    key = models.BigIntegerField(primary_key=True)
    hash = models.BinaryField(max_length=32)

    class Meta:
        verbose_name = _("Merkle tree node")
        verbose_name_plural = _("Merkle tree nodes")

    def __str__(self) -> str:
        level, index = merkle.node_of_key(self.key)
        return f"node {level}/{index}"


class TreeState(models.Model):
    """The single row (pk 1) that appends lock: the tree size and its frontier (the hashes of
    the perfect subtrees the size decomposes into, largest first)."""

    SINGLETON = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON)
    size = models.BigIntegerField(default=0)
    frontier = models.BinaryField(default=b"")

    class Meta:
        verbose_name = _("audit tree state")
        verbose_name_plural = _("audit tree state")

    def __str__(self) -> str:
        return f"tree of {self.size}"
