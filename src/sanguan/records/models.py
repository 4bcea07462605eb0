"""Learning-record tables.

``Statement`` keeps the full statement JSON as sent (plus the LRS-set properties) and, beside
it, only the columns the xAPI filters need, so a GET is one index range scan and a POST is one
multi-row INSERT. The PostgreSQL layout for hundreds of millions of rows (range partitions on
``stored`` per month, BRIN on ``stored``, btree on the filter columns led by the filter value)
is described in docs/adr/0006-learning-record-store.md.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

AUTHORITY_HOME_PAGE = "urn:sanguan:lrs-client"


class LrsClient(models.Model):
    """A sending platform (an LMS) with its HTTP Basic credentials.

    The secret is 256 random bits, so its SHA-256 digest cannot be brute-forced and a
    slow password hash would only cost time on every request.
    """

    name = models.CharField(_("name"), max_length=100)
    key = models.CharField(_("key"), max_length=64, unique=True)
    secret_hash = models.CharField(_("secret hash (SHA-256, hex)"), max_length=64)
    university = models.ForeignKey(
        "institutions.University", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("university"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("LRS client")
        verbose_name_plural = _("LRS clients")

    def __str__(self) -> str:
        return self.name

    def authority(self) -> dict:
        """The authority an LRS sets on statements this client sends."""
        return {"objectType": "Agent", "name": self.name,
                "account": {"homePage": AUTHORITY_HOME_PAGE, "name": self.key}}


class Statement(models.Model):
    id = models.BigAutoField(primary_key=True)
    statement_id = models.UUIDField(_("statement id"), unique=True)
    stored = models.DateTimeField(_("stored"), db_index=True)
    university_id = models.BigIntegerField(_("university"), null=True, blank=True)
    client_id = models.BigIntegerField(_("client"))
    verb_id = models.CharField(_("verb id"), max_length=512)
    actor_ifi = models.CharField(_("actor identifier"), max_length=512)
    actor_home_page = models.CharField(_("actor account home page"), max_length=512, blank=True)
    actor_name = models.CharField(_("actor account name"), max_length=256, blank=True)
    object_type = models.CharField(_("object type"), max_length=16)
    object_ifi = models.CharField(_("object identifier"), max_length=512)
    object_statement_id = models.UUIDField(_("referenced statement"), null=True, blank=True)
    registration = models.UUIDField(_("registration"), null=True, blank=True)
    voided = models.BooleanField(_("voided"), default=False)
    is_voiding = models.BooleanField(_("voiding"), default=False)
    has_attachments = models.BooleanField(_("has attachments"), default=False)
    full = models.TextField(_("statement JSON"))

    class Meta:
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        # Random-keyed indexes are what an INSERT pays for at scale (one leaf page each), so
        # each is partial where most rows would hold nothing to find.
        indexes = [
            models.Index(fields=["verb_id", "stored"], name="records_stmt_verb_stored"),
            models.Index(fields=["actor_home_page", "actor_name", "stored"], name="records_stmt_account_stored",
                         condition=~models.Q(actor_home_page="")),
            models.Index(fields=["actor_ifi", "stored"], name="records_stmt_ifi_stored",
                         condition=models.Q(actor_home_page="")),
            models.Index(fields=["object_ifi", "stored"], name="records_stmt_object_stored"),
            models.Index(fields=["registration", "stored"], name="records_stmt_reg_stored",
                         condition=models.Q(registration__isnull=False)),
            models.Index(fields=["object_statement_id"], name="records_stmt_ref",
                         condition=models.Q(object_statement_id__isnull=False)),
            models.Index(fields=["stored", "id"], condition=models.Q(object_type="StatementRef"),
                         name="records_stmt_refs_stored"),
            models.Index(fields=["university_id", "stored"], name="records_stmt_univ_stored",
                         condition=models.Q(university_id__isnull=False)),
        ]

    def __str__(self) -> str:
        return str(self.statement_id)


class StatementRelation(models.Model):
    """An agent or activity a statement touches beyond its actor and object.

    ``direct`` rows are members of a Group actor/object (they match the ``agent`` filter);
    the others (context activities, instructor, team, authority, sub-statement parts) match
    only ``related_agents`` / ``related_activities``.
    """

    AGENT = "g"
    ACTIVITY = "a"

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="relations")
    kind = models.CharField(max_length=1)
    value = models.CharField(max_length=512)
    direct = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["kind", "value", "statement"], name="records_rel_value")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


class Attachment(models.Model):
    """Attachment content sent in a multipart/mixed request, shared by its SHA-256."""

    sha2 = models.CharField(max_length=128, primary_key=True)
    content_type = models.CharField(max_length=255)
    content = models.BinaryField()

    def __str__(self) -> str:
        return self.sha2


class Activity(models.Model):
    """The LRS's canonical definition of an activity: the latest one a client sent."""

    activity_id = models.CharField(max_length=512, unique=True)
    definition = models.TextField(blank=True, default="")

    def __str__(self) -> str:
        return self.activity_id


class Document(models.Model):
    """A state, activity-profile or agent-profile document."""

    STATE = "s"
    ACTIVITY_PROFILE = "a"
    AGENT_PROFILE = "g"

    kind = models.CharField(max_length=1)
    activity_id = models.CharField(max_length=512, blank=True, default="")
    agent_ifi = models.CharField(max_length=512, blank=True, default="")
    registration = models.CharField(max_length=36, blank=True, default="")
    doc_id = models.CharField(max_length=512)
    content = models.BinaryField()
    content_type = models.CharField(max_length=255)
    etag = models.CharField(max_length=40)
    updated = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "activity_id", "agent_ifi", "registration", "doc_id"],
                                    name="records_document_unique"),
        ]
        indexes = [models.Index(fields=["kind", "activity_id", "agent_ifi", "registration", "updated"],
                                name="records_document_scope")]

    def __str__(self) -> str:
        return self.doc_id
