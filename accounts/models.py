from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """Roles are Django auth groups with these names (created by a data migration)."""

    GUARDIAN = "guardian", _("Guardian")
    INSTRUCTOR = "instructor", _("Instructor")
    COORDINATOR = "coordinator", _("Coordinator")
    OFFICE = "office", _("Office")
    DIRECTOR = "director", _("Director")


STAFF_ROLES = frozenset({Role.COORDINATOR, Role.OFFICE, Role.DIRECTOR})


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("The e-mail address must be set")
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(**{f"{self.model.USERNAME_FIELD}__iexact": username})


class User(AbstractUser):
    """A person who signs in with an e-mail address."""

    username = None
    email = models.EmailField(_("e-mail address"), unique=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    language = models.CharField(
        _("language"), max_length=8, default="pl", choices=[("pl", "Polski"), ("en", "English")]
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["last_name", "first_name", "email"]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def has_role(self, role: str) -> bool:
        return role in self.role_names

    @property
    def role_names(self) -> frozenset[str]:
        # Cached per instance: predicates ask this many times per request.
        if not hasattr(self, "_role_names"):
            self._roles_and_permissions_load()
        return self._role_names

    def _roles_and_permissions_load(self) -> None:
        """The role names, and with them the model permissions ModelBackend would read in two
        more queries (the user's own, the roles'), in one query. The permissions go into
        ModelBackend's per-instance caches (`_user_perm_cache`, `_group_perm_cache`), exactly
        as it fills them; a superuser's (every permission) are left to ModelBackend."""
        alias = self._state.db or "default"
        rows = _roles_rows(alias, self.pk)
        self._role_names = frozenset(name for name, _app, _code in rows if name is not None)
        if self.is_active and not self.is_superuser:
            self._user_perm_cache = {f"{app}.{code}" for name, app, code in rows if name is None}
            self._group_perm_cache = {
                f"{app}.{code}" for name, app, code in rows if name is not None and code is not None
            }


def _roles_query(user_id: int):
    from django.contrib.auth.models import Group, Permission

    roles = (
        Group.objects.filter(user=user_id)
        .values_list("name", "permissions__content_type__app_label", "permissions__codename")
        .order_by()
    )
    own = (
        Permission.objects.filter(user=user_id)
        .values_list(
            models.Value(None, output_field=models.CharField()),
            "content_type__app_label",
            "codename",
        )
        .order_by()
    )
    return roles.union(own, all=True)


# Every logged-in request runs the query above (the two-factor middleware asks for the roles),
# and building it through the ORM cost more than running it. It is compiled once per database
# and process; its only parameters are the user's id, twice.
_ROLES_SQL: dict[str, str | None] = {}


def _roles_rows(alias: str, user_id: int) -> list[tuple]:
    from django.db import connections

    if alias not in _ROLES_SQL:
        sql, params = _roles_query(user_id).query.get_compiler(alias).as_sql()
        # Anything but (id, id) means the ORM compiled it differently: never cache then.
        _ROLES_SQL[alias] = sql if list(params) == [user_id, user_id] else None
    sql = _ROLES_SQL[alias]
    if sql is None:
        return list(_roles_query(user_id).using(alias))
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, [user_id, user_id])
        return cursor.fetchall()
